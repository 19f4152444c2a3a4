package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.core.Vm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vminfo vm}. */
@Command(
    name = "vm",
    header = "Show one VM as JSON.",
    description = "One VM object as JSON (GET /vms/{id}), by uuid or zonename.",
    footer = {"  vminfo vm 5595d88c-6e4d-4bda-b58e-97dd02e32bec", "  vminfo vm my-zone"})
public final class VmCommand extends AgentCommand {
  @Parameters(paramLabel = "UUID|ZONENAME", description = "The VM.")
  private String id;

  @Override
  public Integer call() throws InterruptedException {
    if (id.isBlank()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "VM id is empty");
    }
    Vm vm = call(client -> client.vm(id));
    out().println(JsonText.pretty(vm.toJson()));
    return ExitCode.OK;
  }
}
