package io.vminfo.cli;

import io.vminfo.cli.internal.Cli;
import io.vminfo.cli.internal.LogConfig;
import io.vminfo.cli.internal.Terminal;
import java.util.Arrays;

/**
 * {@code vminfo}, the command line tool of the vminfo agent: ad hoc queries ({@code ping}, {@code
 * status}, {@code vms}, {@code vm}), the change feed ({@code events}), waiting for a VM ({@code
 * wait}), the diff engine ({@code diff}), offline inspection of a host tree ({@code inspect}),
 * usage file tools ({@code usage}) and Manta ({@code manta}). {@code vminfo --help} lists them;
 * exit codes are 0 ok, 1 failed condition, 2 usage error, 3 cannot reach the agent.
 */
public final class VminfoMain {
  private VminfoMain() {}

  public static void main(String[] args) {
    LogConfig.configure(Arrays.asList(args).contains("--debug"));
    Terminal terminal = Terminal.system();
    int code = Cli.run(args, terminal);
    terminal.out().flush();
    terminal.err().flush();
    System.exit(code);
  }
}
