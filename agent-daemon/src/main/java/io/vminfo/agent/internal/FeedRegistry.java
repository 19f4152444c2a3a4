package io.vminfo.agent.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open {@code /events} connections, by listener id, with what {@code /status} shows of them.
 */
public final class FeedRegistry {
  /** One connection as shown in status. */
  public record Entry(String id, String remote, String userAgent, Instant createdAt) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong cutOff = new AtomicLong();

  public void add(Entry e) {
    entries.put(e.id(), e);
    opened.incrementAndGet();
  }

  public void remove(String id) {
    entries.remove(id);
  }

  public Optional<Entry> get(String id) {
    return Optional.ofNullable(entries.get(id));
  }

  public int size() {
    return entries.size();
  }

  public long opened() {
    return opened.get();
  }

  /** Connections this server closed because their subscriber fell behind. */
  public long cutOff() {
    return cutOff.get();
  }

  void countCutOff() {
    cutOff.incrementAndGet();
  }
}
