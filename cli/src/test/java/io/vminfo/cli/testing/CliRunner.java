package io.vminfo.cli.testing;

import io.vminfo.cli.internal.Cli;
import io.vminfo.cli.internal.Terminal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process against in-memory streams, as a pipe would see it (not interactive). */
public final class CliRunner {
  private final Map<String, String> env = new HashMap<>();
  private byte[] stdin = new byte[0];
  private boolean interactive;

  /** The outcome of one run. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public static CliRunner cli() {
    return new CliRunner();
  }

  /** Points the CLI at {@code url} through {@code VMINFO_URL}. */
  public CliRunner agent(String url) {
    return env("VMINFO_URL", url);
  }

  public CliRunner env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public CliRunner env(Map<String, String> vars) {
    env.putAll(vars);
    return this;
  }

  public CliRunner stdin(String text) {
    stdin = text.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  public CliRunner stdin(byte[] bytes) {
    stdin = bytes.clone();
    return this;
  }

  public CliRunner interactive() {
    interactive = true;
    return this;
  }

  public Result run(String... args) {
    return run(new ByteArrayOutputStream(), new ByteArrayOutputStream(), args);
  }

  /** Runs with the given buffers, which another thread may read while the command runs. */
  public Result run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    Terminal t = new Terminal(new ByteArrayInputStream(stdin), o, e, env, interactive);
    int code = Cli.run(args, t);
    o.flush();
    e.flush();
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs and also returns the raw stdout bytes (for binary downloads). */
  public byte[] runBytes(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = Cli.run(args, new Terminal(new ByteArrayInputStream(stdin), o, e, env, interactive));
    if (code != 0) {
      throw new AssertionError("exit " + code + ": " + err.toString(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
