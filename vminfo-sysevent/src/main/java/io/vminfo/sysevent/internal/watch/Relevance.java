package io.vminfo.sysevent.internal.watch;

import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.WatchEvent;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which events mean "this file may now have different content or be gone". With inotify that is
 * close-write, moved-to, delete and moved-from: a create alone is never acted on (the file is
 * still empty or half-written; its close-write follows). The JDK watcher has no close-write, so
 * there create, modify and delete count.
 */
public final class Relevance {
  private final Set<WatchEvent.Kind> kinds;

  private Relevance(Set<WatchEvent.Kind> kinds) {
    this.kinds = kinds;
  }

  public static Relevance of(FileWatcher watcher) {
    if (watcher.supportedKinds().contains(WatchEvent.Kind.CLOSE_WRITE)) {
      return new Relevance(EnumSet.of(WatchEvent.Kind.CLOSE_WRITE, WatchEvent.Kind.MOVED_TO,
          WatchEvent.Kind.DELETED, WatchEvent.Kind.MOVED_FROM));
    }
    return new Relevance(EnumSet.of(WatchEvent.Kind.CREATED, WatchEvent.Kind.MODIFIED,
        WatchEvent.Kind.DELETED));
  }

  public boolean test(WatchEvent e) {
    return kinds.contains(e.kind()) && !e.isDirectory();
  }
}
