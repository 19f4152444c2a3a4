package io.vminfo.cli.internal;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command can reach: the terminal and the global options of {@link RootCommand}. */
@Command
public abstract class CommandBase implements Callable<Integer> {
  @Spec protected CommandSpec spec;

  protected RootCommand root() {
    return (RootCommand) spec.root().userObject();
  }

  protected Terminal terminal() {
    return root().terminal();
  }

  protected PrintStream out() {
    return terminal().out();
  }

  /** A note for the user on stderr ({@code vminfo: ...}), never mixed into results on stdout. */
  protected void note(String message) {
    terminal().err().println("vminfo: " + message);
  }

  /** Whether to draw progress bars: on a terminal, or when forced with {@code --progress}. */
  protected boolean progress(Boolean flag) {
    return flag != null ? flag : terminal().interactive();
  }
}
