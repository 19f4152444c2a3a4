package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.Shutdown;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.agent.FeedPrinter;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.EventStream;
import io.vminfo.core.client.EventStreamOptions;
import io.vminfo.core.client.ResumePoint;
import io.vminfo.core.client.VminfoClient;
import io.vminfo.core.text.Uuids;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vminfo events}: follow the change feed. */
@Command(
    name = "events",
    header = "Follow the change feed.",
    description =
        "Follow the agent's change feed (GET /events): one line per change, create and "
            + "delete on their own line. Reconnects by itself and resumes where it left off; "
            + "when the agent cannot resume (it restarted) the differences from its fresh "
            + "snapshot are printed, marked (resync). Notes about the connection go to stderr. "
            + "Ctrl-C ends it.",
    footer = {
      "  vminfo events",
      "  vminfo events -j --type modify",
      "  vminfo events -f 5595d88c-6e4d-4bda-b58e-97dd02e32bec -n 1",
      "",
      "Text lines ([date] uuid type, then for a modify: path action :: old -> new):",
      "  [2016-05-31T16:29:09.477Z] 5595d88c-... create",
      "  [2016-05-31T16:29:09.634Z] 5595d88c-... modify: zone_state changed ::",
      "      \"configured\" -> \"incomplete\"",
    })
public final class EventsCommand extends AgentCommand {
  @Option(
      names = {"-j", "--json"},
      description = "Each event as its JSON feed line.")
  private boolean json;

  @Option(
      names = {"-r", "--ready"},
      description = "Also print the ready line (the snapshot).")
  private boolean ready;

  @Option(
      names = {"-f", "--uuid"},
      paramLabel = "UUID",
      split = ",",
      description = "Only these VMs (repeatable, or comma-separated).")
  private List<String> uuids = new ArrayList<>();

  @Option(
      names = {"-t", "--type"},
      paramLabel = "TYPE",
      split = ",",
      description = "Only these event types: create, modify, delete (repeatable).")
  private List<String> types = new ArrayList<>();

  @Option(
      names = "--ignore",
      paramLabel = "KEY",
      split = ",",
      description =
          "No modify events that change only these top-level keys, e.g."
              + " --ignore last_modified (repeatable, or comma-separated).")
  private List<String> ignore = new ArrayList<>();

  @Option(
      names = "--since",
      paramLabel = "REV",
      description =
          "Start with the events after this revision (from an earlier run's rev) instead"
              + " of now; fails if the agent no longer has them.")
  private Long since;

  @Option(
      names = "--epoch",
      paramLabel = "EPOCH",
      description = "The agent run --since refers to (default: the agent's current epoch).")
  private String epoch;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Exit after N events.")
  private long count;

  private Set<String> ignoredKeys() {
    Set<String> keys = new LinkedHashSet<>();
    for (String k : ignore) {
      String key = k.trim();
      if (!key.matches("[A-Za-z0-9_-]{1,64}")) {
        throw CliFailure.usage("--ignore \"" + key + "\" is not a top-level VM key");
      }
      keys.add(key);
    }
    return keys;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (count < 0) {
      throw CliFailure.usage("--count must be positive");
    }
    if (since != null && since < 0) {
      throw CliFailure.usage("--since must be a revision >= 0");
    }
    if (epoch != null && since == null) {
      throw CliFailure.usage("--epoch needs --since");
    }
    Set<String> uuidFilter = new LinkedHashSet<>();
    Set<VmEventType> typeFilter = EnumSet.noneOf(VmEventType.class);
    try {
      uuids.forEach(u -> uuidFilter.add(Uuids.requireUuid(u.trim(), "VM uuid")));
      types.forEach(
          t ->
              typeFilter.add(
                  VmEventType.fromWireName(t.trim().toLowerCase(java.util.Locale.ROOT))));
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage(e.getMessage());
    }
    URI uri = agentUri();
    EventStreamOptions options =
        EventStreamOptions.defaults()
            .withUuids(uuidFilter)
            .withTypes(typeFilter)
            .ignoringChangesTo(ignoredKeys())
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    try (VminfoClient client = client()) {
      if (since != null) {
        String e =
            epoch != null
                ? epoch
                : call(
                    c ->
                        c.status()
                            .epoch()
                            .orElseThrow(
                                () ->
                                    CliFailure.failed(
                                        "the agent at "
                                            + uri
                                            + " does not tell its epoch;"
                                            + " give --epoch")));
        options = options.resumingFrom(new ResumePoint(since, e));
      }
      FeedPrinter printer =
          new FeedPrinter(
              out(),
              this::note,
              json ? FeedPrinter.Format.JSON : FeedPrinter.Format.TEXT,
              typeFilter,
              ready,
              since == null ? OptionalLong.empty() : OptionalLong.of(since),
              count,
              uri);
      EventStream stream = client.events(options, printer);
      Shutdown hook =
          Shutdown.onExit(
              "vminfo-events-stop",
              () -> {
                stream.close();
                out().flush();
              });
      try {
        return await(printer);
      } finally {
        hook.close();
        stream.close();
      }
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage(e.getMessage());
    }
  }

  private static int await(FeedPrinter printer) throws InterruptedException {
    while (true) {
      try {
        return printer.done().get(1, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // Following until Ctrl-C, the output closes, or --count is reached.
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw CliFailure.failed(String.valueOf(e.getCause()), e.getCause());
      }
    }
  }
}
