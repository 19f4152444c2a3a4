package io.vminfo.cli.internal.commands;

import picocli.CommandLine.Command;

/** {@code vminfo usage}: usage records, from the agent and in files. */
@Command(
    name = "usage",
    header = "Usage records: latest, files, verify.",
    description = "Usage records: the agent's latest, the spool's files, checking a file.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    subcommands = {UsageTailCommand.class, UsageFilesCommand.class, UsageVerifyCommand.class},
    footer = {
      "  vminfo usage tail -f",
      "  vminfo usage files --spool /var/opt/vminfo/spool",
      "  vminfo usage verify /var/opt/vminfo/spool/2026/11/22/10/*.log",
    })
public final class UsageCommand implements Runnable {
  @picocli.CommandLine.Spec private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a usage command: tail, files or verify");
  }
}
