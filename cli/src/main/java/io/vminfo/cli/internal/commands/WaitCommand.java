package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.DurationConverter;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.Shutdown;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.waiting.Condition;
import io.vminfo.cli.internal.waiting.Waiter;
import io.vminfo.core.Vm;
import io.vminfo.core.client.EventStream;
import io.vminfo.core.client.EventStreamOptions;
import io.vminfo.core.client.VminfoClient;
import io.vminfo.core.text.Uuids;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo wait}: block until the agent shows a VM in a state. */
@Command(
    name = "wait",
    header = "Wait until a VM is in a state or has a value.",
    description =
        "Wait until the agent shows the VM as asked: exit 0 at once if it already is, "
            + "else when an event makes it so; exit 1 with what the VM looks like instead if "
            + "--timeout passes first. All conditions must hold at the same time. Survives "
            + "agent restarts (the fresh snapshot is checked).",
    footer = {
      "  vminfo wait 5595d88c-6e4d-4bda-b58e-97dd02e32bec --state running",
      "  vminfo wait my-zone --change quota=20 --timeout 2m",
      "  vminfo wait 5595d88c-6e4d-4bda-b58e-97dd02e32bec --change 'nics.*.ip=10.0.0.5'",
      "  vminfo wait 5595d88c-6e4d-4bda-b58e-97dd02e32bec --deleted",
    })
public final class WaitCommand extends AgentCommand {
  @Parameters(paramLabel = "UUID|ZONENAME", description = "The VM (it need not exist yet).")
  private String id;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      description = "The VM's state, e.g. running, stopped.")
  private String state;

  @Option(
      names = "--change",
      paramLabel = "PATH=VALUE",
      description =
          "The VM's value at PATH (a change path: quota, tags.role, nics.*.ip with *"
              + " for any array element) equals VALUE (JSON if it parses as JSON, else text)."
              + " Repeatable.")
  private List<String> changes = new ArrayList<>();

  @Option(names = "--deleted", description = "The VM is gone.")
  private boolean deleted;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "60s",
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    List<Condition> conditions = conditions();
    boolean byUuid = Uuids.isUuid(id);
    String target = byUuid ? Uuids.requireUuid(id, "VM uuid") : id;
    URI uri = agentUri();
    Waiter waiter = new Waiter(target, byUuid, conditions, uri, this::note);
    EventStreamOptions options =
        EventStreamOptions.defaults()
            .withUuids(byUuid ? Set.of(target) : Set.of())
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    try (VminfoClient client = client()) {
      EventStream stream = client.events(options, waiter);
      Shutdown hook = Shutdown.onExit("vminfo-wait-stop", stream::close);
      try {
        Optional<Vm> vm = waiter.done().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        out().println(vm.map(Vm::uuid).orElse(target) + ": " + waiter.describe());
        return ExitCode.OK;
      } catch (TimeoutException e) {
        String why =
            waiter.started() ? waiter.unmet() : "could not start watching the agent's event feed";
        throw CliFailure.failed(
            "timed out after "
                + DurationConverter.format(timeout)
                + " waiting for "
                + target
                + ": "
                + waiter.describe()
                + " ("
                + why
                + ")");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw CliFailure.failed(String.valueOf(e.getCause()), e.getCause());
      } finally {
        hook.close();
        stream.close();
      }
    }
  }

  private List<Condition> conditions() {
    List<Condition> out = new ArrayList<>();
    if (state != null) {
      if (state.isBlank()) {
        throw CliFailure.usage("--state needs a state, e.g. running");
      }
      out.add(new Condition.State(state));
    }
    try {
      changes.forEach(c -> out.add(Condition.ValueAt.parse(c)));
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage("--change: " + e.getMessage());
    }
    if (deleted) {
      if (!out.isEmpty()) {
        throw CliFailure.usage("--deleted cannot be combined with --state or --change");
      }
      out.add(new Condition.Deleted());
    }
    if (out.isEmpty()) {
      throw CliFailure.usage("say what to wait for: --state, --change or --deleted");
    }
    return out;
  }
}
