package io.vminfo.core.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories whose threads are named after their job, so a thread dump says who is who.
 * Daemon threads: every owner shuts its executor down, and what they write is crash-safe, so a
 * forgotten one must not keep the JVM alive.
 */
public final class NamedThreads {
  private NamedThreads() {}

  /** Threads named {@code prefix-1}, {@code prefix-2}, ... */
  public static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Threads all named {@code name}, for an executor of one thread. */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
