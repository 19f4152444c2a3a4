package io.vminfo.cli.internal;

/**
 * Ends a command with a message for the user (one line on stderr, no stack trace unless {@code
 * --debug}) and an exit code from {@link ExitCode}.
 */
public final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private CliFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A failed condition or bad input (exit 1). */
  public static CliFailure failed(String message) {
    return new CliFailure(ExitCode.FAILED, message, null);
  }

  public static CliFailure failed(String message, Throwable cause) {
    return new CliFailure(ExitCode.FAILED, message, cause);
  }

  /** A bad command line or environment (exit 2). */
  public static CliFailure usage(String message) {
    return new CliFailure(ExitCode.USAGE, message, null);
  }

  public static CliFailure usage(String message, Throwable cause) {
    return new CliFailure(ExitCode.USAGE, message, cause);
  }

  /** The agent or Manta cannot be reached (exit 3). */
  public static CliFailure unreachable(String message, Throwable cause) {
    return new CliFailure(ExitCode.UNREACHABLE, message, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
