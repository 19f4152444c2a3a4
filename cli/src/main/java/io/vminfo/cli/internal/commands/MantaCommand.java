package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.manta.MantaChattrCommand;
import io.vminfo.cli.internal.manta.MantaFindCommand;
import io.vminfo.cli.internal.manta.MantaGetCommand;
import io.vminfo.cli.internal.manta.MantaInfoCommand;
import io.vminfo.cli.internal.manta.MantaLsCommand;
import io.vminfo.cli.internal.manta.MantaMkdirCommand;
import io.vminfo.cli.internal.manta.MantaPutCommand;
import io.vminfo.cli.internal.manta.MantaRmCommand;
import io.vminfo.cli.internal.manta.MantaSignCommand;
import picocli.CommandLine.Command;

/** {@code vminfo manta}: look at (and fix) what was uploaded to Manta. */
@Command(
    name = "manta",
    header = "Browse Manta: ls, get, put, mkdir, rm, info, find, chattr, sign.",
    description =
        "Browse Manta, e.g. to check what the agent uploaded. Uses the MANTA_* "
            + "environment as node-manta does: MANTA_URL, MANTA_USER, MANTA_KEY_ID (ssh-agent "
            + "or ~/.ssh) or MANTA_KEY_PATH, MANTA_SUBUSER, MANTA_ROLE, MANTA_TLS_INSECURE. "
            + "Paths are /LOGIN/stor/... or ~~/stor/...",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    subcommands = {
      MantaLsCommand.class,
      MantaGetCommand.class,
      MantaPutCommand.class,
      MantaMkdirCommand.class,
      MantaRmCommand.class,
      MantaInfoCommand.class,
      MantaFindCommand.class,
      MantaChattrCommand.class,
      MantaSignCommand.class,
    },
    footer = {
      "  vminfo manta ls -l ~~/stor/usage/2026/11/22/10",
      "  vminfo manta get ~~/stor/usage/2026/11/22/10/SERVER.log.gz -o h10.log.gz",
      "  vminfo manta info ~~/stor/usage/2026/11/22/10/SERVER.log.gz",
    })
public final class MantaCommand implements Runnable {
  @picocli.CommandLine.Spec private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "name a manta command: ls, get, put, mkdir, rm, info, find, chattr or sign");
  }
}
