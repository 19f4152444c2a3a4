package io.vminfo.core;

import io.vminfo.core.internal.FeedLines;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One change of the store: a VM created, modified (with its non-empty change list) or deleted, with
 * the store revision it produced. Its feed line (DESIGN section 4) is serialized once, when the
 * event is made, and the same bytes go to every subscriber.
 */
public final class VmEvent {
  private final VmEventType type;
  private final long rev;
  private final Instant date;
  private final String uuid;
  private final Optional<String> zonename;
  private final Optional<Vm> vm;
  private final List<Change> changes;
  private final byte[] line;

  private VmEvent(
      VmEventType type,
      long rev,
      Instant date,
      String uuid,
      Optional<String> zonename,
      Optional<Vm> vm,
      List<Change> changes) {
    this.type = Objects.requireNonNull(type, "type");
    if (rev < 1) {
      throw new IllegalArgumentException("event revisions start at 1, got " + rev);
    }
    this.rev = rev;
    this.date = Objects.requireNonNull(date, "date");
    this.uuid = Objects.requireNonNull(uuid, "uuid");
    this.zonename = Objects.requireNonNull(zonename, "zonename");
    this.vm = Objects.requireNonNull(vm, "vm");
    this.changes = List.copyOf(changes);
    switch (type) {
      case CREATE -> require(vm.isPresent() && changes.isEmpty(), "create carries the VM only");
      case MODIFY ->
          require(vm.isPresent() && !changes.isEmpty(), "modify carries the VM and changes");
      case DELETE -> require(vm.isEmpty() && changes.isEmpty(), "delete carries no VM");
    }
    vm.ifPresent(v -> require(v.uuid().equals(uuid), "event uuid differs from the VM's"));
    this.line = FeedLines.event(this, vm.map(Vm::sharedBytes), changesJson(this.changes));
  }

  private static java.util.Optional<byte[]> changesJson(List<Change> changes) {
    if (changes.isEmpty()) {
      return Optional.empty();
    }
    com.fasterxml.jackson.databind.node.ArrayNode array =
        io.vminfo.core.internal.Json.NODES.arrayNode();
    for (Change c : changes) {
      array.add(c.wire(false));
    }
    return Optional.of(io.vminfo.core.internal.Json.bytes(array));
  }

  public static VmEvent create(long rev, Instant date, Vm vm) {
    return new VmEvent(
        VmEventType.CREATE, rev, date, vm.uuid(), vm.zonename(), Optional.of(vm), List.of());
  }

  public static VmEvent modify(long rev, Instant date, Vm vm, List<Change> changes) {
    return new VmEvent(
        VmEventType.MODIFY, rev, date, vm.uuid(), vm.zonename(), Optional.of(vm), changes);
  }

  public static VmEvent delete(long rev, Instant date, String uuid, Optional<String> zonename) {
    return new VmEvent(VmEventType.DELETE, rev, date, uuid, zonename, Optional.empty(), List.of());
  }

  public VmEventType type() {
    return type;
  }

  /** The store revision this event produced; consecutive events differ by exactly 1. */
  public long rev() {
    return rev;
  }

  public Instant date() {
    return date;
  }

  public String uuid() {
    return uuid;
  }

  public Optional<String> zonename() {
    return zonename;
  }

  /** The VM after the event; empty for delete. */
  public Optional<Vm> vm() {
    return vm;
  }

  /** The changes of a modify; empty otherwise. */
  public List<Change> changes() {
    return changes;
  }

  /** Length of the feed line in bytes, newline included. */
  public int lineLength() {
    return line.length;
  }

  /** A copy of the feed line (UTF-8 JSON and a trailing newline). */
  public byte[] line() {
    return line.clone();
  }

  /** Writes the feed line without copying it. */
  public void writeLineTo(java.io.OutputStream out) throws java.io.IOException {
    out.write(line);
  }

  /** The feed line as a read-only buffer over the shared bytes (no copy). */
  public java.nio.ByteBuffer lineBuffer() {
    return java.nio.ByteBuffer.wrap(line).asReadOnlyBuffer();
  }

  @Override
  public String toString() {
    return new String(line, StandardCharsets.UTF_8).stripTrailing();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
