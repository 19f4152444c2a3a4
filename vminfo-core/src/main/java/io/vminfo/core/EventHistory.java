package io.vminfo.core;

/**
 * The store's recent events, contiguous by revision, bounded by a count and a byte size: a ring
 * buffer, so an event is found by its revision in constant time (resuming subscribers read it in
 * batches as they catch up). Not thread-safe: the store's write lock guards it.
 */
final class EventHistory {
  private final VmEvent[] ring;
  private final long maxBytes;
  private int head;
  private int size;
  private long bytes;

  EventHistory(int maxEvents, long maxBytes) {
    this.ring = new VmEvent[maxEvents];
    this.maxBytes = maxBytes;
  }

  void add(VmEvent event) {
    if (size > 0 && event.rev() != newestRev() + 1) {
      throw new IllegalStateException(
          "history must be contiguous: " + newestRev() + " then " + event.rev());
    }
    if (size == ring.length) {
      evictOldest();
    }
    ring[(head + size) % ring.length] = event;
    size++;
    bytes += event.lineLength();
    while (bytes > maxBytes && size > 1) {
      evictOldest();
    }
  }

  /** The revision of the oldest event kept; meaningful only when not empty. */
  long oldestRev() {
    return ring[head].rev();
  }

  long newestRev() {
    return ring[(head + size - 1) % ring.length].rev();
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Whether every event after {@code rev} up to the newest is still kept. */
  boolean holdsAfter(long rev, long storeRevision) {
    if (rev >= storeRevision) {
      return true;
    }
    return size > 0 && rev + 1 >= oldestRev();
  }

  /** The event with revision {@code rev}, which must be kept. */
  VmEvent at(long rev) {
    long offset = rev - oldestRev();
    if (size == 0 || offset < 0 || offset >= size) {
      throw new IllegalArgumentException("revision " + rev + " is not in the history");
    }
    return ring[(int) ((head + offset) % ring.length)];
  }

  int size() {
    return size;
  }

  long bytes() {
    return bytes;
  }

  private void evictOldest() {
    bytes -= ring[head].lineLength();
    ring[head] = null;
    head = (head + 1) % ring.length;
    size--;
  }
}
