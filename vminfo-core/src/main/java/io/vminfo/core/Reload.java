package io.vminfo.core;

/**
 * One unit of work for the serial reload queue, made by a {@link VmSource} when something on the
 * host changed (e.g. "reload zone X's XML"). While a reload is waiting, another with the same
 * {@link #key()} is dropped (identical pending triggers coalesce), so keys must capture everything
 * that makes two reloads different.
 */
public interface Reload {
  /** Identity for coalescing, and the name shown in status, e.g. {@code "smartos:xml:zone1"}. */
  String key();

  /**
   * Reads the host and says what changed. Runs on a worker thread, one reload at a time; a reload
   * that outlives the service's task timeout is abandoned (interrupted, its result ignored).
   */
  ReloadResult run(VmLookup current) throws Exception;
}
