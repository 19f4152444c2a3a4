package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.fleet.FleetFollowCommand;
import io.vminfo.cli.internal.fleet.FleetHostOfCommand;
import io.vminfo.cli.internal.fleet.FleetListCommand;
import picocli.CommandLine.Command;

/** {@code vminfo fleet}: the fleet as the agents' Kafka publishers (vminfo-fleet) put it. */
@Command(
    name = "fleet",
    header = "Query the fleet in Kafka: host-of, list, follow.",
    description =
        "Query every host at once from Kafka, where the agents publish with fleet.enabled:"
            + " which host runs a VM, the VMs in a state across hosts, and fleet-wide events. The"
            + " brokers are --bootstrap-servers or $VMINFO_KAFKA.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    subcommands = {
      FleetHostOfCommand.class,
      FleetListCommand.class,
      FleetFollowCommand.class,
    },
    footer = {
      "  vminfo fleet list --bootstrap-servers kafka1:9092 --state failed",
      "  VMINFO_KAFKA=kafka1:9092 vminfo fleet host-of UUID",
      "  vminfo fleet follow --group ops",
    })
public final class FleetCommand implements Runnable {
  @picocli.CommandLine.Spec private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a fleet command: host-of, list or follow");
  }
}
