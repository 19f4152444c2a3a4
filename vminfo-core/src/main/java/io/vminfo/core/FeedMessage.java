package io.vminfo.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** One parsed line of the {@code /events} feed (DESIGN section 4). */
public sealed interface FeedMessage
    permits FeedMessage.Ready, FeedMessage.Resumed, FeedMessage.Heartbeat, FeedMessage.Event {

  Instant date();

  /** The store revision the line refers to; empty on servers that predate revisions (vminfod). */
  OptionalLong rev();

  /**
   * The first line of a fresh stream: the whole (filtered) VM list at {@code rev}, then events
   * after it. {@code resync} is set when a resume was asked for and could not be honoured.
   */
  record Ready(
      Instant date,
      String listenerId,
      List<Vm> vms,
      OptionalLong rev,
      Optional<String> epoch,
      boolean resync)
      implements FeedMessage {
    public Ready {
      Objects.requireNonNull(date, "date");
      Objects.requireNonNull(listenerId, "listenerId");
      vms = List.copyOf(vms);
      Objects.requireNonNull(rev, "rev");
      Objects.requireNonNull(epoch, "epoch");
    }
  }

  /** The first line of a resumed stream: events after {@code rev} follow, no snapshot. */
  record Resumed(Instant date, String listenerId, OptionalLong rev, Optional<String> epoch)
      implements FeedMessage {
    public Resumed {
      Objects.requireNonNull(date, "date");
      Objects.requireNonNull(listenerId, "listenerId");
      Objects.requireNonNull(rev, "rev");
      Objects.requireNonNull(epoch, "epoch");
    }
  }

  /** Sent when the stream is idle, if asked for. */
  record Heartbeat(Instant date, OptionalLong rev) implements FeedMessage {
    public Heartbeat {
      Objects.requireNonNull(date, "date");
      Objects.requireNonNull(rev, "rev");
    }
  }

  /** A create, modify or delete. */
  record Event(
      VmEventType type,
      Instant date,
      String uuid,
      Optional<String> zonename,
      Optional<Vm> vm,
      List<Change> changes,
      OptionalLong rev)
      implements FeedMessage {
    public Event {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(date, "date");
      Objects.requireNonNull(uuid, "uuid");
      Objects.requireNonNull(zonename, "zonename");
      Objects.requireNonNull(vm, "vm");
      changes = List.copyOf(changes);
      Objects.requireNonNull(rev, "rev");
    }
  }
}
