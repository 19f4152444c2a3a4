package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.agent.AgentCommand;
import picocli.CommandLine.Command;

/** {@code vminfo ping}. */
@Command(
    name = "ping",
    header = "Check that the agent answers.",
    description = "Check that the agent answers (GET /ping); prints pong.",
    footer = {"  vminfo ping", "  vminfo --url http://10.0.0.5:9090 ping"})
public final class PingCommand extends AgentCommand {
  @Override
  public Integer call() throws InterruptedException {
    call(
        client -> {
          client.ping();
          return null;
        });
    out().println("pong");
    return ExitCode.OK;
  }
}
