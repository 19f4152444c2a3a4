package io.vminfo.manta.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Directories known to exist, so a repeated mkdirp costs no request. Bounded (least recently used
 * first out) because an agent runs for months and writes a new directory an hour.
 */
public final class DirectoryCache {
  private final LinkedHashMap<String, Boolean> known;

  public DirectoryCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
    }
    this.known =
        new LinkedHashMap<>(256, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  public synchronized boolean contains(String dir) {
    return known.get(dir) != null; // get, not containsKey: a lookup counts as a use
  }

  public synchronized void remember(String dir) {
    known.put(dir, Boolean.TRUE);
  }

  /** Forgets {@code dir} and everything below it (it was deleted, or Manta says it is missing). */
  public synchronized void forget(String dir) {
    String prefix = dir + "/";
    known.keySet().removeIf(d -> d.equals(dir) || d.startsWith(prefix));
  }
}
