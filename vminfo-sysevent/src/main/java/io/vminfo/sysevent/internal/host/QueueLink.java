package io.vminfo.sysevent.internal.host;

import io.vminfo.core.Reload;
import io.vminfo.core.ReloadQueue;
import java.util.Objects;

/**
 * A source's link to the service's reload queue: set once by {@code start}, silent after {@link
 * #close()} (events still in flight from the watcher thread are dropped, not queued).
 */
public final class QueueLink {
  private volatile ReloadQueue queue;
  private volatile boolean closed;

  public void set(ReloadQueue queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
  }

  public void submit(Reload reload) {
    ReloadQueue q = queue;
    if (q != null && !closed) {
      q.submit(reload);
    }
  }

  public void reconcile(String reason) {
    ReloadQueue q = queue;
    if (q != null && !closed) {
      q.requestReconcile(reason);
    }
  }

  public void close() {
    closed = true;
  }
}
