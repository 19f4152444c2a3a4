package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.cli.internal.Cli;
import io.vminfo.cli.internal.RootCommand;
import io.vminfo.cli.testing.CliRunner.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** --help everywhere (with examples and exit codes), --version, usage errors. */
class HelpTest {
  /** Every command path, e.g. [usage, verify]. */
  static List<List<String>> commands() {
    List<List<String>> out = new ArrayList<>();
    collect(Cli.commandLine(new RootCommand()), new ArrayList<>(), out);
    return out;
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    cl.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!name.equals("help")) {
                List<String> p = new ArrayList<>(path);
                p.add(name);
                collect(sub, p, out);
              }
            });
  }

  @Test
  void everyCommandHasHelpWithExamplesAndExitCodes() {
    List<List<String>> all = commands();
    assertThat(all).hasSize(37);
    for (List<String> path : all) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Result r = cli().run(args.toArray(String[]::new));
      assertThat(r.exit()).as(path + ": " + r).isZero();
      assertThat(r.out())
          .as("help of %s", path)
          .startsWith(path.isEmpty() ? "Usage: vminfo" : "")
          .contains("Usage: vminfo" + (path.isEmpty() ? "" : " " + String.join(" ", path)))
          .contains("\nExamples:\n  vminfo ")
          .contains("\nExit codes:\n  0   ok\n  1   failed condition")
          .contains("  3   cannot reach the agent")
          .doesNotContain("\u001b[");
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  void helpCommandAndTopLevelList() {
    Result r = cli().run("help", "events");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: vminfo events");
    Result top = cli().run("--help");
    for (String c :
        List.of(
            "ping", "status", "vms", "vm", "events", "wait", "diff", "inspect", "usage", "manta",
            "fleet")) {
      assertThat(top.out()).containsPattern("\n  " + c + " +[A-Z]");
    }
  }

  @Test
  void versionIsTheProjectVersion() {
    Result r = cli().run("--version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).matches("(?s)vminfo \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nJava .*\n");
    assertThat(cli().run("vms", "--version").out()).isEqualTo(r.out());
  }

  @Test
  void usageErrorsSayWhatIsWrongAndExit2() {
    Result none = cli().run();
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err())
        .isEqualTo("vminfo: name a command\nTry 'vminfo --help' for more" + " information.\n");
    Result typo = cli().run("evnets");
    assertThat(typo.exit()).isEqualTo(2);
    assertThat(typo.err())
        .contains("Unmatched argument at index 0: 'evnets'")
        .contains("Did you mean: vminfo events");
    Result usage = cli().run("usage");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("name a usage command: tail, files or verify");
    Result manta = cli().run("manta", "cp");
    assertThat(manta.exit()).isEqualTo(2);
    Result twice = cli().run("vms", "-o", "uuid", "-o", "alias");
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.err()).contains("should be specified only once");
  }

  @Test
  void colorsOnlyOnATerminal() {
    Result piped = cli().run("vms", "--help");
    assertThat(piped.out()).doesNotContain("\u001b[");
    Result noColor = cli().interactive().env("NO_COLOR", "1").run("vms", "--help");
    assertThat(noColor.out()).doesNotContain("\u001b[");
  }
}
