package io.vminfo.sysevent;

import java.io.IOException;

/** Makes the {@link FileWatcher} a backend uses (tests wrap the listener, e.g. to pause it). */
@FunctionalInterface
public interface FileWatcherFactory {
  FileWatcher create(WatchListener listener) throws IOException;

  /**
   * {@link FileWatchers#create(WatchListener)}: inotify on Linux, the JDK WatchService elsewhere.
   */
  FileWatcherFactory DEFAULT = FileWatchers::create;
}
