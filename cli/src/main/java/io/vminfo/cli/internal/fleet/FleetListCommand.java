package io.vminfo.cli.internal.fleet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.cli.internal.output.Table;
import io.vminfo.fleet.FleetView;
import io.vminfo.fleet.FleetVm;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vminfo fleet list}. */
@Command(
    name = "list",
    header = "List the VMs of every host.",
    description =
        "List the fleet's VMs (server, uuid, alias, state), by server then uuid, as the"
            + " publishers last put them in the VM topic.",
    footer = {"  vminfo fleet list --state failed", "  vminfo fleet list -j | jq .vm.alias"})
public final class FleetListCommand extends FleetBase {
  @Option(names = "--state", paramLabel = "STATE", description = "Only VMs in this state.")
  private String state;

  @Option(
      names = {"-j", "--json"},
      description = "One JSON object per VM: server_uuid, epoch, rev and the VM object.")
  private boolean json;

  @Override
  public Integer call() {
    try (FleetView v = loaded()) {
      List<FleetVm> vms = state == null ? v.all() : v.withState(state);
      if (json) {
        for (FleetVm vm : vms) {
          ObjectNode o = CliJson.NODES.objectNode();
          o.put("server_uuid", vm.serverUuid());
          o.put("epoch", vm.epoch());
          o.put("rev", vm.rev());
          o.set("vm", vm.vm());
          out().println(JsonText.compact(o));
        }
        return ExitCode.OK;
      }
      Table t = new Table(List.of("SERVER", "UUID", "ALIAS", "STATE"));
      for (FleetVm vm : vms) {
        t.add(
            List.of(
                Cells.escape(vm.serverUuid()),
                Cells.escape(vm.uuid()),
                vm.alias().map(Cells::escape).orElse(Cells.MISSING),
                vm.state().map(Cells::escape).orElse(Cells.MISSING)));
      }
      t.render(Table.Style.ALIGNED, true).forEach(out()::println);
      return ExitCode.OK;
    }
  }
}
