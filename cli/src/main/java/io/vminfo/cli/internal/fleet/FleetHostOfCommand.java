package io.vminfo.cli.internal.fleet;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.fleet.FleetView;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vminfo fleet host-of}. */
@Command(
    name = "host-of",
    header = "Which host runs a VM.",
    description =
        "Print the server uuid of the host that runs VM UUID (two lines while a migrated"
            + " VM is on both hosts); exit 1 when no host has it.",
    footer = {
      "  vminfo fleet host-of 0c6c8e4a-6f4e-4f8e-9a58-3b1f4c2d7e10",
      "  vminfo fleet host-of --bootstrap-servers kafka1:9092 UUID"
    })
public final class FleetHostOfCommand extends FleetBase {
  @Parameters(paramLabel = "UUID", description = "The VM's uuid.")
  private String uuid;

  @Override
  public Integer call() {
    try (FleetView v = loaded()) {
      List<String> hosts = v.hostsOf(uuid);
      if (hosts.isEmpty()) {
        throw CliFailure.failed("no host of the fleet runs VM " + Cells.escape(uuid));
      }
      hosts.forEach(out()::println);
      return ExitCode.OK;
    }
  }
}
