package io.vminfo.sysevent;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One change in a watched directory.
 *
 * @param kind what happened
 * @param directory the watched directory, as it was passed to {@link FileWatcher#watch(Path)}
 * @param name the entry's file name inside {@code directory}; empty for {@link Kind#DELETE_SELF}
 * @param cookie inotify's rename cookie, equal on the {@link Kind#MOVED_FROM} and {@link
 *     Kind#MOVED_TO} halves of one rename; 0 when there is none or the implementation has no
 *     cookies
 * @param isDirectory whether the entry is itself a directory (when the implementation knows)
 * @param receivedNanos {@link System#nanoTime()} when the watcher read the event from the kernel
 */
public record WatchEvent(
    Kind kind, Path directory, String name, int cookie, boolean isDirectory, long receivedNanos) {

  /** What happened to an entry (or to the watched directory itself). */
  public enum Kind {
    /** An entry appeared (created, or on the portable implementation also renamed in). */
    CREATED,
    /** Content changed; only the portable implementation reports this (it has no close-write). */
    MODIFIED,
    /** A file opened for writing was closed: a plain write is complete (inotify only). */
    CLOSE_WRITE,
    /** An entry was renamed away from this directory (first half of a rename, inotify only). */
    MOVED_FROM,
    /**
     * An entry was renamed into this directory, e.g. "write temp file, rename over" (inotify only).
     */
    MOVED_TO,
    /** An entry was deleted (on the portable implementation also renamed away). */
    DELETED,
    /**
     * The watched directory itself was deleted or moved away. The watcher keeps retrying it and
     * calls {@link WatchListener#onWatchEstablished(Path)} when it is back.
     */
    DELETE_SELF
  }

  public WatchEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(name, "name");
  }

  /** The entry's path ({@code directory} itself for {@link Kind#DELETE_SELF}). */
  public Path path() {
    return name.isEmpty() ? directory : directory.resolve(name);
  }

  /**
   * True when the file is now complete with new content (close-write, moved-to, or the portable
   * equivalents).
   */
  public boolean isContentChange() {
    return kind == Kind.CLOSE_WRITE
        || kind == Kind.MOVED_TO
        || kind == Kind.CREATED
        || kind == Kind.MODIFIED;
  }

  /** True when the entry may be gone (deleted or renamed away). */
  public boolean isRemoval() {
    return kind == Kind.DELETED || kind == Kind.MOVED_FROM;
  }
}
