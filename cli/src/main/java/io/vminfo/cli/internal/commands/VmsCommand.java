package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.vms.ListingOptions;
import io.vminfo.core.Vm;
import io.vminfo.core.client.VmQuery;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vminfo vms}: {@code vmadm list} against the agent. */
@Command(
    name = "vms",
    header = "List VMs as a table, like vmadm list.",
    description =
        "List the agent's VMs (GET /vms) as a table, like vmadm list. state=, brand= and "
            + "owner_uuid= filters are applied by the agent, the others here.",
    footer = {
      "  vminfo vms",
      "  vminfo vms -o uuid,type,ram,state,alias -s -ram state=running",
      "  vminfo vms -p -o uuid,nics.0.ip brand=kvm",
      "  vminfo vms -j alias=~^web"
    })
public final class VmsCommand extends AgentCommand {
  @Mixin private ListingOptions options;

  @Override
  public Integer call() throws InterruptedException {
    ListingOptions.Listing listing = options.listing();
    VmQuery query = VmQuery.all();
    query = listing.serverFilter("state").map(query::withState).orElse(query);
    query = listing.serverFilter("brand").map(query::withBrand).orElse(query);
    query = listing.serverFilter("owner_uuid").map(query::withOwnerUuid).orElse(query);
    VmQuery q = query;
    List<Vm> vms = call(client -> client.vms(q));
    listing.render(vms.stream().map(Vm::toJson).toList()).forEach(out()::println);
    return ExitCode.OK;
  }
}
