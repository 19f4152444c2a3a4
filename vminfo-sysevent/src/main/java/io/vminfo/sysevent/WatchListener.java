package io.vminfo.sysevent;

import java.nio.file.Path;

/**
 * Receives a {@link FileWatcher}'s events in the order the kernel reported them, on the watcher's
 * thread, never two callbacks at once. Callbacks must be quick and must not block (hand work to a
 * queue): while one runs, the watcher reads nothing. An exception thrown here is logged and the
 * watcher carries on.
 */
public interface WatchListener {
  /** One change in a watched directory. */
  void onEvent(WatchEvent event);

  /**
   * Events were lost (inotify IN_Q_OVERFLOW or the portable watcher's OVERFLOW): the listener must
   * assume anything under any watched directory may have changed, and rescan.
   */
  void onOverflow();

  /**
   * A directory that was missing (never there, deleted, or moved away) is now watched. Its contents
   * may have changed while nobody watched it, so the listener should rescan it. Not called for
   * directories that existed when {@link FileWatcher#watch(Path)} was called.
   */
  default void onWatchEstablished(Path directory) {}
}
