package io.vminfo.core;

/** Where a {@link VmSource} sends work when it notices a change on the host. */
public interface ReloadQueue {
  /** Queues a partial reload (coalesced with an identical pending one). Never blocks. */
  void submit(Reload reload);

  /**
   * Asks for a full reload and reconciliation as soon as possible, e.g. after the file watcher lost
   * events (inotify queue overflow). Never blocks.
   */
  void requestReconcile(String reason);
}
