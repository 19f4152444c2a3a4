package io.vminfo.cli.internal.waiting;

import io.vminfo.cli.internal.agent.Outages;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.FeedListener;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Watches one VM on the feed until every condition holds at once. The snapshot the stream starts
 * with is the VM's current state (so a VM already running satisfies {@code state=running} at once,
 * with no race against a change that happened just before), then every event of that VM is checked.
 * When the agent can only resync (it restarted), the fresh snapshot is checked the same way, so
 * nothing is missed.
 */
public final class Waiter implements FeedListener {
  private final String id;
  private final boolean byUuid;
  private final List<Condition> conditions;
  private final Consumer<String> note;
  private final CompletableFuture<Optional<Vm>> done = new CompletableFuture<>();
  private volatile String uuid;
  private volatile Optional<Vm> last = Optional.empty();
  private final Outages outages;
  private volatile boolean started;

  public Waiter(
      String id, boolean byUuid, List<Condition> conditions, URI agent, Consumer<String> note) {
    this.id = id;
    this.byUuid = byUuid;
    this.uuid = byUuid ? id : null;
    this.conditions = List.copyOf(conditions);
    this.note = note;
    this.outages = new Outages(agent, note);
  }

  /** Completes with the VM (empty if it is gone) once every condition holds. */
  public CompletableFuture<Optional<Vm>> done() {
    return done;
  }

  /** The VM as last seen (empty: not seen, or gone). */
  public Optional<Vm> last() {
    return last;
  }

  public boolean started() {
    return started;
  }

  @Override
  public void onReady(FeedMessage.Ready ready) {
    if (started) {
      note.accept(
          "the agent could not resume the stream (it restarted?); checking its fresh"
              + " snapshot");
    }
    started = true;
    outages.over();
    Optional<Vm> vm = Optional.empty();
    for (Vm v : ready.vms()) {
      if (isTarget(v.uuid(), v.zonename())) {
        vm = Optional.of(v);
        break;
      }
    }
    vm.ifPresent(v -> uuid = v.uuid());
    check(vm);
  }

  @Override
  public void onResumed(FeedMessage.Resumed resumed) {
    started = true;
    outages.over();
  }

  @Override
  public void onEvent(FeedMessage.Event e) {
    Optional<String> zonename = e.zonename().or(() -> e.vm().flatMap(Vm::zonename));
    if (!isTarget(e.uuid(), zonename)) {
      return;
    }
    if (e.type() == VmEventType.DELETE) {
      check(Optional.empty());
    } else {
      uuid = e.uuid();
      check(e.vm());
    }
  }

  @Override
  public void onDisconnected(Throwable cause, Duration reconnectIn) {
    outages.disconnected(started, cause).ifPresent(done::completeExceptionally);
  }

  private boolean isTarget(String eventUuid, Optional<String> zonename) {
    String u = uuid;
    if (u != null && u.equals(eventUuid)) {
      return true;
    }
    return !byUuid && zonename.filter(id::equals).isPresent();
  }

  private void check(Optional<Vm> vm) {
    last = vm;
    if (conditions.stream().allMatch(c -> c.holds(vm))) {
      done.complete(vm);
    }
  }

  /** {@code state=running, quota=20}. */
  public String describe() {
    return String.join(", ", conditions.stream().map(Condition::describe).toList());
  }

  /** What is still missing, from the VM as last seen. */
  public String unmet() {
    Optional<Vm> vm = last;
    if (vm.isEmpty() && conditions.stream().noneMatch(c -> c instanceof Condition.Deleted)) {
      return "no such VM";
    }
    return String.join(
        ", ", conditions.stream().filter(c -> !c.holds(vm)).map(c -> c.actual(vm)).toList());
  }
}
