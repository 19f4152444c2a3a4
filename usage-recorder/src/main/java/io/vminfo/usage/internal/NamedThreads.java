package io.vminfo.usage.internal;

import java.util.concurrent.ThreadFactory;

/** Threads named after their job, so a thread dump says who is stuck. */
public final class NamedThreads {
  private NamedThreads() {}

  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      // The spool is crash-safe, so a forgotten service must not keep the JVM alive.
      t.setDaemon(true);
      return t;
    };
  }
}
