package io.vminfo.cli.internal;

import io.vminfo.cli.internal.commands.AlarmsCommand;
import io.vminfo.cli.internal.commands.DiffCommand;
import io.vminfo.cli.internal.commands.EventsCommand;
import io.vminfo.cli.internal.commands.FleetCommand;
import io.vminfo.cli.internal.commands.GuestActionCommand;
import io.vminfo.cli.internal.commands.InspectCommand;
import io.vminfo.cli.internal.commands.JobsCommand;
import io.vminfo.cli.internal.commands.MantaCommand;
import io.vminfo.cli.internal.commands.PingCommand;
import io.vminfo.cli.internal.commands.StatusCommand;
import io.vminfo.cli.internal.commands.UsageCommand;
import io.vminfo.cli.internal.commands.VmCommand;
import io.vminfo.cli.internal.commands.VmsCommand;
import io.vminfo.cli.internal.commands.WaitCommand;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code vminfo}: the global options and the list of commands. */
@Command(
    name = "vminfo",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    synopsisSubcommandLabel = "COMMAND",
    description =
        "Query a vminfo agent, follow its change feed, inspect a host without an agent, "
            + "check usage files, browse Manta and query the fleet in Kafka.",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok",
      "1:failed condition (wait timed out, verify found bad lines, not found, bad input)",
      "2:usage error (bad option, argument or environment)",
      "3:cannot reach the agent (or Manta, for vminfo manta; Kafka, for vminfo fleet)",
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  vminfo vms -o uuid,alias,state state=running",
      "  vminfo events",
      "  vminfo --url http://10.0.0.5:9090 wait my-zone --state running",
      "",
      "The agent is at --url, else $VMINFO_URL, else http://127.0.0.1:9090.",
      "'vminfo COMMAND --help' shows a command's options and examples.",
    },
    subcommands = {
      PingCommand.class,
      StatusCommand.class,
      VmsCommand.class,
      VmCommand.class,
      EventsCommand.class,
      WaitCommand.class,
      DiffCommand.class,
      InspectCommand.class,
      UsageCommand.class,
      MantaCommand.class,
      FleetCommand.class,
      GuestActionCommand.Start.class,
      GuestActionCommand.Stop.class,
      GuestActionCommand.Reboot.class,
      GuestActionCommand.Poweroff.class,
      GuestActionCommand.Suspend.class,
      GuestActionCommand.Resume.class,
      JobsCommand.class,
      AlarmsCommand.class,
      HelpCommand.class,
    })
public final class RootCommand implements Runnable {
  @Option(
      names = "--url",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description = "The agent (default: $VMINFO_URL, else http://127.0.0.1:9090).")
  private String url;

  @Option(
      names = "--request-timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest wait for one answer of the agent (default: 30s).")
  private Duration requestTimeout;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Show stack traces and debug logs on stderr.")
  private boolean debug;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private Terminal terminal;

  /** For picocli and the completion script generator. */
  public RootCommand() {}

  RootCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }

  public Terminal terminal() {
    if (terminal == null) {
      terminal = Terminal.system();
    }
    return terminal;
  }

  /** {@code --url}, or null. */
  public String url() {
    return url;
  }

  public Duration requestTimeout() {
    return requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
  }

  public boolean debug() {
    return debug;
  }
}
