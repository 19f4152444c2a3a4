package io.vminfo.alarms;

import java.io.IOException;

/**
 * Delivers alarm notices somewhere. Called from the service's delivery thread, one notice at a
 * time; a thrown exception means "not delivered" and the notice is retried later with backoff, so
 * an implementation must bound its own blocking (timeouts) and may be called again for the same
 * notice.
 */
public interface Notifier extends AutoCloseable {
  /** A short stable name (e.g. {@code webhook}); outbox entries are kept per notifier name. */
  String name();

  void deliver(AlarmNotice notice) throws IOException, InterruptedException;

  @Override
  default void close() {}
}
