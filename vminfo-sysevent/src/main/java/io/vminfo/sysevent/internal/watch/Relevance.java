package io.vminfo.sysevent.internal.watch;

import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.WatchEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which events mean "this file may now have different content or be gone". With inotify that is
 * close-write, moved-to, delete and moved-from. A create of a regular file that is still being
 * written waits for its close-write; but an entry that comes into being complete is never written,
 * so its create is all there will be: a symlink, a second hard link, a FIFO, a socket or a device
 * node. Those creates count (the reader then reads the link's target, or reports the file that is
 * not a regular one). The JDK watcher has no close-write, so there create, modify and delete count.
 */
public final class Relevance {
  private final Set<WatchEvent.Kind> kinds;
  private final boolean completeOnCreateCounts;

  private Relevance(Set<WatchEvent.Kind> kinds, boolean completeOnCreateCounts) {
    this.kinds = kinds;
    this.completeOnCreateCounts = completeOnCreateCounts;
  }

  public static Relevance of(FileWatcher watcher) {
    if (watcher.supportedKinds().contains(WatchEvent.Kind.CLOSE_WRITE)) {
      return new Relevance(
          EnumSet.of(
              WatchEvent.Kind.CLOSE_WRITE,
              WatchEvent.Kind.MOVED_TO,
              WatchEvent.Kind.DELETED,
              WatchEvent.Kind.MOVED_FROM),
          true);
    }
    return new Relevance(
        EnumSet.of(WatchEvent.Kind.CREATED, WatchEvent.Kind.MODIFIED, WatchEvent.Kind.DELETED),
        false);
  }

  public boolean test(WatchEvent e) {
    if (e.isDirectory()) {
      return false;
    }
    if (kinds.contains(e.kind())) {
      return true;
    }
    return completeOnCreateCounts
        && e.kind() == WatchEvent.Kind.CREATED
        && arrivesComplete(e.path());
  }

  /**
   * True for an entry no close-write will follow: anything but a regular file or directory, or a
   * regular file that already has another name (made by {@code link(2)}).
   */
  static boolean arrivesComplete(Path entry) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isDirectory()) {
        return false;
      }
      if (!a.isRegularFile()) {
        return true;
      }
      return Files.getAttribute(entry, "unix:nlink", LinkOption.NOFOLLOW_LINKS) instanceof Integer n
          && n > 1;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // Gone again (its delete follows) or no unix view: the close-write rule stands.
      return false;
    }
  }
}
