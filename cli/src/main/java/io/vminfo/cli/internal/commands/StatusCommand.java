package io.vminfo.cli.internal.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.cli.internal.output.StatusText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vminfo status}. */
@Command(
    name = "status",
    header = "Show the agent's state.",
    description = "The agent's state (GET /status): load, queue, errors, feed listeners, usage.",
    footer = {"  vminfo status", "  vminfo status -f", "  vminfo status -j"})
public final class StatusCommand extends AgentCommand {
  @Option(
      names = {"-f", "--full"},
      description =
          "Every section: listeners, pending reloads," + " refresh errors, feed and usage details.")
  private boolean full;

  @Option(
      names = {"-j", "--json"},
      description = "The status document as JSON.")
  private boolean json;

  @Override
  public Integer call() throws InterruptedException {
    JsonNode status = call(client -> client.status().json());
    if (json) {
      out().println(JsonText.pretty(status));
    } else {
      StatusText.render(status, full).forEach(out()::println);
    }
    return ExitCode.OK;
  }
}
