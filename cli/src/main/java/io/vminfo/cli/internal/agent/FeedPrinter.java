package io.vminfo.cli.internal.agent;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.EventLines;
import io.vminfo.core.Change;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.JsonDiff;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.FeedListener;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Prints a feed for {@code vminfo events} and keeps the VMs it has seen, so that when the agent
 * cannot resume the stream (it restarted, or this stream fell too far behind) the difference
 * between what was seen and the fresh snapshot is printed as events, marked as such, instead of
 * being silently skipped. Connection trouble is reported on stderr, once per outage.
 *
 * <p>{@link #done()} completes with an exit code when the command should end: the output was closed
 * (0), the requested number of events was printed (0); or exceptionally with a {@link CliFailure}:
 * the agent could not be reached at all (3), refused the stream (1), or could not resume from
 * {@code --since} (1).
 */
public final class FeedPrinter implements FeedListener {
  /** Output format. */
  public enum Format {
    TEXT,
    JSON
  }

  private final PrintStream out;
  private final Consumer<String> note;
  private final Format format;
  private final Set<VmEventType> types;
  private final boolean showReady;
  private final OptionalLong resumingFrom;
  private final long maxEvents;
  private final URI agent;
  private final CompletableFuture<Integer> done = new CompletableFuture<>();
  private final Map<String, Vm> seen = new TreeMap<>();
  private final Outages outages;
  private boolean started;
  private long printed;

  /**
   * @param types the event types asked for (empty: all), also applied to made-up events
   * @param resumingFrom the revision of {@code --since}, if given
   * @param maxEvents stop after this many events (0: never)
   */
  public FeedPrinter(
      PrintStream out,
      Consumer<String> note,
      Format format,
      Set<VmEventType> types,
      boolean showReady,
      OptionalLong resumingFrom,
      long maxEvents,
      URI agent) {
    this.out = out;
    this.note = note;
    this.format = format;
    this.types = Set.copyOf(types);
    this.showReady = showReady;
    this.resumingFrom = resumingFrom;
    this.maxEvents = maxEvents;
    this.agent = agent;
    this.outages = new Outages(agent, note);
  }

  public CompletableFuture<Integer> done() {
    return done;
  }

  @Override
  public void onReady(FeedMessage.Ready ready) {
    if (done.isDone()) {
      return;
    }
    if (!started) {
      started = true;
      if (resumingFrom.isPresent()) {
        done.completeExceptionally(
            CliFailure.failed(
                "cannot resume from rev "
                    + resumingFrom.getAsLong()
                    + ": the agent "
                    + (ready.resync()
                        ? "no longer has that revision or is another run (epoch)"
                        : "does not support resuming")
                    + "; it is at rev "
                    + ready.rev().orElse(-1)
                    + " now (run without --since to follow from here)"));
        return;
      }
      replace(ready.vms());
      if (showReady) {
        print(readyLine(ready));
      }
      flush();
      return;
    }
    List<FeedMessage.Event> missed = differences(ready);
    note.accept(
        "reconnected to "
            + agent
            + ", but the agent could not resume the stream (it"
            + " restarted or this stream fell behind): resynced at rev "
            + (ready.rev().isPresent() ? ready.rev().getAsLong() : "?")
            + "; "
            + missed.size()
            + " difference(s) from the new snapshot follow, marked as resync; events in between are"
            + " lost");
    outages.over();
    if (showReady) {
      print(readyLine(ready));
    }
    replace(ready.vms());
    for (FeedMessage.Event e : missed) {
      if (types.isEmpty() || types.contains(e.type())) {
        printEvent(e, true);
      }
    }
    flush();
  }

  @Override
  public void onResumed(FeedMessage.Resumed resumed) {
    if (!started) {
      started = true;
      return;
    }
    if (outages.over()) {
      note.accept(
          "reconnected to "
              + agent
              + "; resumed at rev "
              + (resumed.rev().isPresent() ? resumed.rev().getAsLong() : "?")
              + ", no events missed");
    }
  }

  @Override
  public void onEvent(FeedMessage.Event event) {
    if (done.isDone()) {
      return;
    }
    if (event.type() == VmEventType.DELETE) {
      seen.remove(event.uuid());
    } else {
      event.vm().ifPresent(vm -> seen.put(vm.uuid(), vm));
    }
    printEvent(event, false);
    flush();
  }

  @Override
  public void onDisconnected(Throwable cause, Duration reconnectIn) {
    if (done.isDone()) {
      return;
    }
    outages.disconnected(started, cause).ifPresent(done::completeExceptionally);
  }

  private void printEvent(FeedMessage.Event e, boolean resync) {
    if (format == Format.JSON) {
      print(EventLines.json(e, resync));
    } else {
      for (String line : EventLines.text(e)) {
        print(resync ? line + " (resync)" : line);
      }
    }
    printed++;
    if (maxEvents > 0 && printed >= maxEvents) {
      flush();
      done.complete(ExitCode.OK);
    }
  }

  private String readyLine(FeedMessage.Ready ready) {
    return format == Format.JSON ? EventLines.readyJson(ready) : EventLines.readyText(ready);
  }

  private void print(String line) {
    out.println(line);
  }

  private void flush() {
    out.flush();
    if (out.checkError()) {
      done.complete(ExitCode.OK); // the reader went away (closed pipe): nothing left to do
    }
  }

  private void replace(List<Vm> vms) {
    seen.clear();
    for (Vm vm : vms) {
      seen.put(vm.uuid(), vm);
    }
  }

  /** What changed between the VMs seen and a fresh snapshot, as events at the snapshot's date. */
  private List<FeedMessage.Event> differences(FeedMessage.Ready ready) {
    Map<String, Vm> next = new TreeMap<>();
    ready.vms().forEach(vm -> next.put(vm.uuid(), vm));
    Set<String> uuids = new TreeSet<>(seen.keySet());
    uuids.addAll(next.keySet());
    List<FeedMessage.Event> out = new ArrayList<>();
    for (String uuid : uuids) {
      Vm before = seen.get(uuid);
      Vm after = next.get(uuid);
      if (before == null) {
        out.add(event(VmEventType.CREATE, ready, uuid, after, List.of()));
      } else if (after == null) {
        out.add(
            new FeedMessage.Event(
                VmEventType.DELETE,
                ready.date(),
                uuid,
                before.zonename(),
                Optional.empty(),
                List.of(),
                OptionalLong.empty()));
      } else {
        List<Change> changes = JsonDiff.diff(before, after);
        if (!changes.isEmpty()) {
          out.add(event(VmEventType.MODIFY, ready, uuid, after, changes));
        }
      }
    }
    return out;
  }

  private static FeedMessage.Event event(
      VmEventType type, FeedMessage.Ready ready, String uuid, Vm vm, List<Change> changes) {
    return new FeedMessage.Event(
        type, ready.date(), uuid, vm.zonename(), Optional.of(vm), changes, OptionalLong.empty());
  }
}
