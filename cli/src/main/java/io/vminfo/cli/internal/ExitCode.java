package io.vminfo.cli.internal;

/** The exit codes of every vminfo command (also in {@code --help} and the module README). */
public final class ExitCode {
  /** Done. */
  public static final int OK = 0;

  /** A condition failed: a wait timed out, a file has bad lines, a VM or file does not exist. */
  public static final int FAILED = 1;

  /** Bad command line: unknown option, bad value, missing argument. */
  public static final int USAGE = 2;

  /**
   * The agent (or Manta for {@code vminfo manta}, Kafka for {@code vminfo fleet}) cannot be
   * reached.
   */
  public static final int UNREACHABLE = 3;

  /** Interrupted by Ctrl-C (128 + SIGINT). */
  public static final int INTERRUPTED = 130;

  /** The lines of the help's "Exit codes" section (picocli "key:description" form). */
  static final String[] HELP = {
    "0:ok",
    "1:failed condition (wait timed out, verify found bad lines, not found, bad input)",
    "2:usage error (bad option, argument or environment)",
    "3:cannot reach the agent (or Manta, for vminfo manta; Kafka, for vminfo fleet)",
  };

  private ExitCode() {}
}
