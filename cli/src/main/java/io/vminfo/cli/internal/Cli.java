package io.vminfo.cli.internal;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** Runs one command line against a {@link Terminal} and returns the exit code. */
public final class Cli {
  private Cli() {}

  public static int run(String[] args, Terminal terminal) {
    RootCommand root = new RootCommand(terminal);
    CommandLine cl = commandLine(root);
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(terminal.out(), StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(terminal.err(), StandardCharsets.UTF_8), true);
    cl.setOut(out);
    cl.setErr(err);
    boolean color = terminal.interactive() && terminal.getenv("NO_COLOR").isEmpty();
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(color ? Ansi.AUTO : Ansi.OFF));
    cl.setParameterExceptionHandler(Cli::usageError);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ex, cmd, root));
    int code = cl.execute(args);
    out.flush();
    err.flush();
    terminal.out().flush();
    return code;
  }

  /** The command tree (also what the completion script is generated from). */
  public static CommandLine commandLine(RootCommand root) {
    CommandLine cl = new CommandLine(root);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOverwrittenOptionsAllowed(false);
    return cl;
  }

  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("vminfo: " + ex.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCode.USAGE;
  }

  private static int failure(Exception ex, CommandLine cmd, RootCommand root) {
    PrintWriter err = cmd.getErr();
    CliFailure f = toFailure(ex);
    err.println("vminfo: " + f.getMessage());
    if (root.debug()) {
      ex.printStackTrace(err);
    }
    err.flush();
    return f.exitCode();
  }

  /** What the user is told about an exception, and the exit code. */
  static CliFailure toFailure(Throwable ex) {
    if (ex instanceof CliFailure f) {
      return f;
    }
    if (ex instanceof InterruptedException) {
      return CliFailure.failed("interrupted", ex);
    }
    if (ex instanceof NoSuchFileException e) {
      return CliFailure.failed("no such file or directory: " + e.getFile(), ex);
    }
    if (ex instanceof AccessDeniedException e) {
      return CliFailure.failed("permission denied: " + e.getFile(), ex);
    }
    if (ex instanceof FileSystemException e) {
      return CliFailure.failed(e.getFile() + ": " + e.getReason(), ex);
    }
    if (ex instanceof IOException) {
      return CliFailure.failed(String.valueOf(ex.getMessage()), ex);
    }
    return CliFailure.failed(
        "internal error: " + ex + " (run with --debug for the stack trace)", ex);
  }
}
