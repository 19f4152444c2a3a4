package io.vminfo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.cli.testing.TestAgent;
import io.vminfo.cli.testing.Vms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a real process ({@code java io.vminfo.cli.VminfoMain}, as bin/vminfo runs it): exit
 * codes through {@code System.exit}, logging set up by main (nothing but the one error line on
 * stderr), and Ctrl-C (SIGINT) during {@code events} ending it cleanly.
 */
class ProcessTest {
  @TempDir Path dir;

  /** A started CLI process with its output collected. */
  static final class Cli implements AutoCloseable {
    final Process process;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    Cli(String... args) throws IOException {
      this(true, args);
    }

    /** With {@code readOutput} false, stdout is closed at once: a reader that went away. */
    Cli(boolean readOutput, String... args) throws IOException {
      List<String> cmd = new ArrayList<>();
      if (sigintIgnored()) {
        // Started in the background (e.g. `./mvnw verify &`), this JVM ignores SIGINT and so
        // would the CLI, whose JVM keeps an ignored SIGINT ignored: give it the default back, as
        // a terminal would.
        cmd.addAll(List.of("env", "--default-signal=INT"));
      }
      cmd.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-Xshare:auto",
              "-cp",
              System.getProperty("java.class.path"),
              VminfoMain.class.getName()));
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().remove("VMINFO_URL");
      process = pb.start();
      process.getOutputStream().close();
      if (readOutput) {
        drain(process.getInputStream(), out, "cli-stdout");
      } else {
        process.getInputStream().close();
      }
      drain(process.getErrorStream(), err, "cli-stderr");
    }

    /** True when SIGINT (signal 2, bit 1 of SigIgn) is ignored by this process. */
    private static boolean sigintIgnored() {
      try {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("SigIgn:")) {
            return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0b10) != 0;
          }
        }
      } catch (IOException | NumberFormatException e) {
        return false; // no procfs: nothing to correct
      }
      return false;
    }

    private static void drain(InputStream in, ByteArrayOutputStream to, String name) {
      Thread t =
          new Thread(
              () -> {
                try {
                  in.transferTo(to);
                } catch (IOException e) {
                  // the process ended
                }
              },
              name);
      t.setDaemon(true);
      t.start();
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }

    int exit() throws InterruptedException {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("process ended").isTrue();
      // Let the drain threads take the last bytes.
      await().atMost(Duration.ofSeconds(5)).until(() -> !process.isAlive());
      return process.exitValue();
    }

    void interrupt() throws Exception {
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(kill.exitValue()).isZero();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  @Test
  void unreachableAgentIsExactlyOneLine() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (Cli cli = new Cli("--url", "http://127.0.0.1:" + port, "vms")) {
      assertThat(cli.exit()).isEqualTo(3);
      await().atMost(Duration.ofSeconds(5)).until(() -> cli.err().endsWith("\n"));
      assertThat(cli.err())
          .isEqualTo(
              "vminfo: cannot reach the agent at http://127.0.0.1:"
                  + port
                  + "/: connection refused (is vminfod running? set --url or VMINFO_URL)\n");
      assertThat(cli.out()).isEmpty();
    }
  }

  @Test
  void ctrlCDuringEventsExitsCleanly() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        Cli cli = new Cli("--url", agent.url(), "events")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("quota", 30)));
      await().atMost(Duration.ofSeconds(20)).until(() -> cli.out().contains("quota changed"));
      cli.interrupt();
      int exit = cli.exit();
      assertThat(exit).isIn(0, 130);
      assertThat(cli.out())
          .isEqualTo(
              "[2026-11-22T10:00:00.000Z] " + Vms.WEB + " modify: quota changed :: 25 -> 30\n");
      assertThat(cli.err()).doesNotContain("Exception").doesNotContain("\tat ");
      agent.awaitSubscribers(0);
    }
  }

  @Test
  void ctrlCWhileReconnectingExitsCleanly() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        Cli cli = new Cli("--url", agent.url(), "events")) {
      agent.awaitSubscribers(1);
      agent.stop();
      await().atMost(Duration.ofSeconds(20)).until(() -> cli.err().contains("reconnecting"));
      cli.interrupt();
      assertThat(cli.exit()).isIn(0, 130);
      assertThat(cli.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void eventsEndsQuietlyWhenItsReaderGoesAway() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        Cli cli = new Cli(false, "--url", agent.url(), "events")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("quota", 30)));
      assertThat(cli.exit()).isZero();
      assertThat(cli.err()).isEmpty();
      agent.awaitSubscribers(0);
    }
  }

  @Test
  void helpAndVersionFromMain() throws Exception {
    try (Cli help = new Cli("--help");
        Cli version = new Cli("--version");
        Cli bad = new Cli("frobnicate")) {
      assertThat(help.exit()).isZero();
      assertThat(help.out()).startsWith("Usage: vminfo ").doesNotContain("\u001b[");
      assertThat(version.exit()).isZero();
      assertThat(version.out()).matches("(?s)vminfo \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nJava .*");
      assertThat(bad.exit()).isEqualTo(2);
      assertThat(bad.err()).startsWith("vminfo: Unmatched argument at index 0: 'frobnicate'");
    }
  }
}
