package io.vminfo.cli.internal;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * Where a command reads and writes, and the environment it sees: the process's own for {@code
 * main}, in-memory streams for tests. Output is always UTF-8 (JSON is UTF-8 whatever the locale
 * says), never colored.
 *
 * @param interactive whether a person is at a terminal ({@code System.console() != null}): only
 *     then are progress bars drawn
 */
public record Terminal(
    InputStream in,
    PrintStream out,
    PrintStream err,
    Map<String, String> env,
    boolean interactive) {
  public Terminal {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    env = Map.copyOf(env);
  }

  /** The process's standard streams (buffered, UTF-8) and environment. */
  public static Terminal system() {
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    return new Terminal(
        new FileInputStream(FileDescriptor.in),
        out,
        err,
        System.getenv(),
        System.console() != null);
  }

  /** An environment variable, if set and not blank. */
  public java.util.Optional<String> getenv(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(v.trim());
  }
}
