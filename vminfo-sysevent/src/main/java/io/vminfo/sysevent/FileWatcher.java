package io.vminfo.sysevent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Watches directories (not recursively) and reports changes to one {@link WatchListener}. Create
 * with {@link FileWatchers}.
 *
 * <p>A directory that does not exist yet (or disappears later) is retried: quickly at first, then
 * every few seconds, until it exists or is {@linkplain #unwatch(Path) unwatched}.
 */
public interface FileWatcher extends AutoCloseable {
  /**
   * Starts watching {@code directory}. When this returns, either changes in the directory are being
   * reported, or the directory is missing and will be retried. Watching the same directory twice is
   * harmless.
   *
   * @throws IOException when the watcher is closed or its thread does not answer in time
   */
  void watch(Path directory) throws IOException;

  /** Stops watching (or retrying) {@code directory}; unknown directories are ignored. */
  void unwatch(Path directory);

  /** Whether {@code directory} is registered and currently has a live watch (not pending retry). */
  boolean isWatching(Path directory);

  /** The registered directories that do not exist yet and are being retried. */
  Set<Path> pendingDirectories();

  /** {@code inotify} or {@code jdk-watchservice}. */
  String implementation();

  /** The kinds of {@link WatchEvent} this implementation can report. */
  Set<WatchEvent.Kind> supportedKinds();

  /** Stops the watcher thread and releases native resources. Idempotent. */
  @Override
  void close();
}
