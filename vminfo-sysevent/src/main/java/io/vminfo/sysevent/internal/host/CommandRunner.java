package io.vminfo.sysevent.internal.host;

import io.vminfo.core.time.Durations;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool ({@code zoneadm}, {@code zfs}, {@code kstat}) with a timeout and an output cap;
 * a tool that hangs is killed (with its children) and reported, never waited on forever.
 *
 * <p>Output goes to temp files rather than pipes, so no reader threads are needed and a tool that
 * fills a pipe can never block: the caller's thread waits for the process, then reads the files.
 */
public final class CommandRunner {
  private final Duration timeout;
  private final int maxOutputBytes;

  public CommandRunner(Duration timeout, int maxOutputBytes) {
    this.timeout = Durations.requirePositive(timeout, "timeout");
    this.maxOutputBytes = maxOutputBytes;
  }

  /** Whether {@code binary} exists and is executable. */
  public static boolean usable(Path binary) {
    return Files.isRegularFile(binary) && Files.isExecutable(binary);
  }

  /** Output of a finished command. */
  public record Result(int exitCode, String stdout, String stderr) {}

  public Result run(Path binary, String... args) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(binary.toString());
    argv.addAll(List.of(args));
    Path out = Files.createTempFile("vminfo-cmd-", ".out");
    Path err = Files.createTempFile("vminfo-cmd-", ".err");
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          kill(p);
          throw new IOException(
              binary.getFileName()
                  + " did not finish within "
                  + timeout.toMillis()
                  + " ms; killed");
        }
      } catch (InterruptedException e) {
        kill(p);
        Thread.currentThread().interrupt();
        throw new IOException("interrupted running " + binary.getFileName(), e);
      }
      if (Files.size(out) > maxOutputBytes) {
        throw new IOException(
            binary.getFileName() + " printed more than " + maxOutputBytes + " bytes");
      }
      return new Result(
          p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), head(err, 4096).trim());
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String head(Path file, int max) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(max), StandardCharsets.UTF_8);
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }
}
