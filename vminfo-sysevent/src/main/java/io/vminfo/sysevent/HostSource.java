package io.vminfo.sysevent;

import io.vminfo.core.ReloadQueue;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmSource;
import io.vminfo.core.text.Uuids;
import io.vminfo.sysevent.internal.host.Args;
import io.vminfo.sysevent.internal.host.HostFiles;
import io.vminfo.sysevent.internal.host.QueueLink;
import io.vminfo.sysevent.internal.watch.Relevance;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * What the file-watching backends ({@link SmartOsSource}, {@link LibvirtSource}) share: the host
 * tree, the clock load errors are stamped with, the link to the reload queue, the file watcher and
 * its listener (overflow and re-established watches ask for a reconciliation), the order of {@code
 * close()}, and the builder settings every such backend has. Each backend adds only what is its
 * own: what it watches, what an event reloads, and its extra settings. Package-private, so the
 * public API stays the two backends' own classes.
 */
abstract class HostSource implements VmSource {
  final HostFiles files;
  final Clock clock;

  /** Where reloads go; silent before {@code start} and after {@code close}. */
  final QueueLink queue = new QueueLink();

  private final FileWatcherFactory watcherFactory;
  private volatile FileWatcher watcher;
  private volatile Relevance relevance;

  HostSource(Builder<?, ?> b) {
    this.files = new HostFiles(b.hostRoot);
    this.clock = b.clock;
    this.watcherFactory = b.watcherFactory;
  }

  /** Root of the host tree this backend reads. */
  public Path hostRoot() {
    return files.root();
  }

  @Override
  public final void start(ReloadQueue reloadQueue) throws IOException {
    queue.set(reloadQueue);
    FileWatcher w = watcherFactory.create(new Listener());
    this.watcher = w;
    this.relevance = Relevance.of(w);
    startWatching(w);
  }

  /** Watches what the backend reads and starts whatever else it runs (pollers, streams). */
  abstract void startWatching(FileWatcher w) throws IOException;

  /** An event in a watched directory ({@code DELETE_SELF} is already left out). */
  abstract void onFileEvent(WatchEvent e);

  /** A directory is (again) watched: by default, events may have been missed, so reconcile. */
  void onWatchEstablished(Path directory) {
    queue.reconcile(directory + " is (again) watched");
  }

  /** Stops what {@link #startWatching} started beyond the watcher; runs before it is closed. */
  void closeOwn() {}

  /** Whether {@code e} may mean new content or a gone file (see {@link Relevance}). */
  final boolean relevant(WatchEvent e) {
    return relevance.test(e);
  }

  /** The watcher once started. */
  final Optional<FileWatcher> watcher() {
    return Optional.ofNullable(watcher);
  }

  /** A load error stamped now. */
  final VmLoadError loadError(
      String key, Optional<String> uuid, Optional<String> zonename, String message) {
    return new VmLoadError(key, uuid, zonename, message, clock.instant());
  }

  @Override
  public final void close() {
    queue.close();
    closeOwn();
    FileWatcher w = watcher;
    if (w != null) {
      w.close();
    }
  }

  private final class Listener implements WatchListener {
    @Override
    public void onEvent(WatchEvent e) {
      if (e.kind() != WatchEvent.Kind.DELETE_SELF) {
        onFileEvent(e);
      }
    }

    @Override
    public void onOverflow() {
      queue.reconcile("file watcher overflow: events were lost");
    }

    @Override
    public void onWatchEstablished(Path directory) {
      HostSource.this.onWatchEstablished(directory);
    }
  }

  /** The settings every file-watching backend has; {@code B} is the backend's own builder. */
  abstract static class Builder<B extends Builder<B, S>, S extends HostSource> {
    final String fallbackServerUuid;
    Path hostRoot = Path.of("/");
    Clock clock = Clock.systemUTC();
    FileWatcherFactory watcherFactory = FileWatcherFactory.DEFAULT;

    Builder(String fallbackServerUuid) {
      this.fallbackServerUuid = Uuids.requireUuid(fallbackServerUuid, "fallbackServerUuid");
    }

    /** Root of the host tree (default {@code /}). */
    public B hostRoot(Path root) {
      this.hostRoot = Objects.requireNonNull(root, "root");
      return self();
    }

    public B clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return self();
    }

    public B watcherFactory(FileWatcherFactory factory) {
      this.watcherFactory = Objects.requireNonNull(factory, "factory");
      return self();
    }

    /** The backend; an {@link IOException} if the host root is not a directory. */
    public S build() throws IOException {
      Args.hostRoot(hostRoot);
      return create();
    }

    abstract B self();

    abstract S create() throws IOException;
  }
}
