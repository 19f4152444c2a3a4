package io.vminfo.usage.internal;

import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmStore;
import io.vminfo.core.text.IsoMillis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows every VM that existed at any time during a sampling interval, from the store's events, so a
 * VM created and destroyed between two samples still gets its record. Each VM is kept with the time
 * it was first seen and, once deleted, the time of its deletion, until no later interval can
 * include it.
 *
 * <p>A VM belongs to the sample at boundary {@code b} (interval {@code (b - I, b]}) if it was first
 * seen at or before {@code b} and not deleted at or before {@code b - I}. VMs present when the
 * tracker starts count from their {@code create_timestamp} if they have one (never later than
 * then), else from always.
 */
public final class VmTracker implements Consumer<VmEvent>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmTracker.class);

  /** A VM as last known, with its lifetime as far as the tracker saw it. */
  public record Tracked(Vm vm, Instant firstSeen, Optional<Instant> deletedAt) {}

  private final Map<String, Tracked> byUuid = new HashMap<>();
  private final Consumer<Vm> onStart;
  private final Consumer<Vm> onStop;
  private AutoCloseable subscription;

  public VmTracker() {
    this(vm -> {});
  }

  /**
   * {@code onStop} is given the last running state of a VM that stops running or is deleted while
   * running (called on the store's event thread: it must not block).
   */
  public VmTracker(Consumer<Vm> onStop) {
    this(vm -> {}, onStop);
  }

  /**
   * Also {@code onStart}: given a VM seen running in a new run (created running, started, or
   * running with another pid or zone id than before), or in the same run with other NIC host
   * devices (taps created after the running state was written), on the store's event thread.
   */
  public VmTracker(Consumer<Vm> onStart, Consumer<Vm> onStop) {
    this.onStart = java.util.Objects.requireNonNull(onStart, "onStart");
    this.onStop = java.util.Objects.requireNonNull(onStop, "onStop");
  }

  /** Subscribes to the store's events, then adds the VMs it already holds. */
  public void start(VmStore store, Instant now) {
    subscription = store.addListener(this);
    List<Vm> current = store.list();
    synchronized (this) {
      for (Vm vm : current) {
        Instant created =
            vm.text("create_timestamp")
                .flatMap(IsoMillis::tryParse)
                .filter(t -> t.isBefore(now))
                .orElse(Instant.MIN);
        byUuid.putIfAbsent(vm.uuid(), new Tracked(vm, created, Optional.empty()));
      }
    }
  }

  @Override
  public synchronized void accept(VmEvent e) {
    Tracked known = byUuid.get(e.uuid());
    switch (e.type()) {
      case CREATE -> {
        Vm vm = e.vm().orElseThrow();
        // Re-created before the old one left the books: one lifetime, from its first start.
        Instant first = known != null ? known.firstSeen() : e.date();
        byUuid.put(e.uuid(), new Tracked(vm, first, Optional.empty()));
        if (isRunning(vm)) {
          onStart.accept(vm);
        }
      }
      case MODIFY -> {
        Vm vm = e.vm().orElseThrow();
        boolean wasRunning = known != null && isRunning(known.vm());
        boolean anotherRun = wasRunning && isRunning(vm) && !sameRun(known.vm(), vm);
        if (wasRunning && (!isRunning(vm) || anotherRun)) {
          onStop.accept(known.vm());
        }
        // Also when its NICs got their host devices: libvirt writes the running state before the
        // taps, so the first read of a run may have had no NIC to read.
        if (isRunning(vm)
            && (!wasRunning || anotherRun || !interfaces(vm).equals(interfaces(known.vm())))) {
          onStart.accept(vm);
        }
        Instant first = known != null ? known.firstSeen() : Instant.MIN;
        byUuid.put(e.uuid(), new Tracked(vm, first, Optional.empty()));
      }
      case DELETE -> {
        if (known != null && known.deletedAt().isEmpty() && isRunning(known.vm())) {
          onStop.accept(known.vm());
        }
        if (known != null) {
          byUuid.put(e.uuid(), new Tracked(known.vm(), known.firstSeen(), Optional.of(e.date())));
        } else {
          log.debug("delete of VM {} the usage recorder never saw", e.uuid());
        }
      }
    }
  }

  private static List<String> interfaces(Vm vm) {
    return vm.nics().stream().map(n -> n.interfaceName().orElse("")).toList();
  }

  /** The same process (libvirt) or zone boot (SmartOS): pid and zone id unchanged. */
  private static boolean sameRun(Vm a, Vm b) {
    return a.pid().equals(b.pid()) && a.zoneid().equals(b.zoneid());
  }

  private static boolean isRunning(Vm vm) {
    return vm.state().filter("running"::equals).isPresent();
  }

  /** The VMs of the interval ending at {@code boundary}, by uuid. */
  public synchronized List<Tracked> select(Instant boundary, Duration interval) {
    Instant start = boundary.minus(interval);
    List<Tracked> out = new ArrayList<>();
    for (Tracked t : byUuid.values()) {
      if (!t.firstSeen().isAfter(boundary)
          && (t.deletedAt().isEmpty() || t.deletedAt().get().isAfter(start))) {
        out.add(t);
      }
    }
    out.sort(Comparator.comparing(t -> t.vm().uuid()));
    return out;
  }

  /** The VMs running now (as last known), by uuid. */
  public synchronized List<Vm> running() {
    List<Vm> out = new ArrayList<>();
    for (Tracked t : byUuid.values()) {
      if (t.deletedAt().isEmpty() && isRunning(t.vm())) {
        out.add(t.vm());
      }
    }
    out.sort(Comparator.comparing(Vm::uuid));
    return out;
  }

  /** Forgets VMs deleted at or before {@code boundary}: no later interval includes them. */
  public synchronized void forgetBefore(Instant boundary) {
    byUuid
        .values()
        .removeIf(t -> t.deletedAt().isPresent() && !t.deletedAt().get().isAfter(boundary));
  }

  public synchronized int size() {
    return byUuid.size();
  }

  @Override
  public void close() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("removing store listener: {}", e.toString());
      }
      subscription = null;
    }
  }
}
