package io.vminfo.sysevent.internal.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import io.vminfo.core.concurrent.Backoff;
import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable {@link FileWatcher} on the JDK {@link WatchService}. It has no close-write, no
 * rename cookies and reports a rename as delete + create; see {@link #supportedKinds()}.
 *
 * <p>One thread takes keys from the service; a second (scheduled) thread retries missing
 * directories. Listener calls from both are serialized, so the listener never runs concurrently.
 */
public final class JdkWatcher implements FileWatcher {
  private static final Logger log = LoggerFactory.getLogger(JdkWatcher.class);
  private static final Set<WatchEvent.Kind> KINDS =
      EnumSet.of(
          WatchEvent.Kind.CREATED,
          WatchEvent.Kind.MODIFIED,
          WatchEvent.Kind.DELETED,
          WatchEvent.Kind.DELETE_SELF);

  private final WatchListener listener;
  private final Backoff retry;
  private final WatchService service;
  private final ScheduledExecutorService retries;
  private final Thread thread;
  private final Object lock = new Object();
  private final Object callbackLock = new Object();
  private final Map<Path, Registration> registrations = new HashMap<>();
  private final Map<WatchKey, Registration> byKey = new HashMap<>();
  private volatile boolean closed;

  public JdkWatcher(WatchListener listener, Backoff retry, String threadName) throws IOException {
    this.listener = listener;
    this.retry = retry;
    this.service = FileSystems.getDefault().newWatchService();
    ScheduledThreadPoolExecutor exec =
        new ScheduledThreadPoolExecutor(1, NamedThreads.daemon(threadName + "-retry"));
    exec.setRemoveOnCancelPolicy(true);
    this.retries = exec;
    this.thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void watch(Path directory) throws IOException {
    Path dir = directory.toAbsolutePath().normalize();
    synchronized (lock) {
      if (closed) {
        throw new IOException("file watcher is closed");
      }
      if (registrations.containsKey(dir)) {
        return;
      }
      Registration r = new Registration(dir);
      registrations.put(dir, r);
      attach(r);
    }
  }

  @Override
  public void unwatch(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    synchronized (lock) {
      Registration r = registrations.remove(dir);
      if (r != null && r.key != null) {
        byKey.remove(r.key);
        r.key.cancel();
        r.key = null;
      }
    }
  }

  @Override
  public boolean isWatching(Path directory) {
    synchronized (lock) {
      Registration r = registrations.get(directory.toAbsolutePath().normalize());
      return r != null && r.key != null;
    }
  }

  @Override
  public Set<Path> pendingDirectories() {
    synchronized (lock) {
      Set<Path> out = new LinkedHashSet<>();
      registrations.values().stream().filter(r -> r.key == null).forEach(r -> out.add(r.dir));
      return Set.copyOf(out);
    }
  }

  @Override
  public String implementation() {
    return "jdk-watchservice";
  }

  @Override
  public Set<WatchEvent.Kind> supportedKinds() {
    return KINDS;
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    retries.shutdownNow();
    try {
      service.close();
    } catch (IOException e) {
      log.warn("closing the watch service failed", e);
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Registers the directory or schedules a retry. Caller holds {@link #lock}. */
  private boolean attach(Registration r) {
    try {
      WatchKey key = r.dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
      r.key = key;
      r.attempts = 0;
      byKey.put(key, r);
      return true;
    } catch (NoSuchFileException | NotDirectoryException e) {
      scheduleRetry(r);
    } catch (ClosedWatchServiceException e) {
      return false;
    } catch (IOException e) {
      log.warn("cannot watch {}: {}; will retry", r.dir, e.toString());
      scheduleRetry(r);
    }
    return false;
  }

  private void scheduleRetry(Registration r) {
    if (closed) {
      return;
    }
    long delay = retry.ceiling(r.attempts + 1).toNanos();
    r.attempts = Math.min(r.attempts + 1, 30);
    retries.schedule(() -> retryNow(r), delay, TimeUnit.NANOSECONDS);
  }

  private void retryNow(Registration r) {
    boolean established;
    synchronized (lock) {
      if (closed || registrations.get(r.dir) != r || r.key != null) {
        return;
      }
      established = attach(r);
    }
    if (established) {
      callback(() -> listener.onWatchEstablished(r.dir));
    }
  }

  private void loop() {
    try {
      while (!closed) {
        WatchKey key = service.take();
        long now = System.nanoTime();
        Registration r;
        synchronized (lock) {
          r = byKey.get(key);
        }
        for (java.nio.file.WatchEvent<?> raw : key.pollEvents()) {
          if (raw.kind() == OVERFLOW) {
            log.warn("watch service overflowed: events were lost; listeners rescan");
            callback(listener::onOverflow);
            continue;
          }
          if (r == null) {
            continue;
          }
          WatchEvent.Kind kind =
              raw.kind() == ENTRY_CREATE
                  ? WatchEvent.Kind.CREATED
                  : raw.kind() == ENTRY_DELETE ? WatchEvent.Kind.DELETED : WatchEvent.Kind.MODIFIED;
          String name = String.valueOf(raw.context());
          WatchEvent event = new WatchEvent(kind, r.dir, name, 0, false, now);
          callback(() -> listener.onEvent(event));
        }
        if (!key.reset() && r != null) {
          boolean lost;
          synchronized (lock) {
            byKey.remove(key);
            lost = registrations.get(r.dir) == r && r.key == key;
            if (lost) {
              r.key = null;
              r.attempts = 0;
              scheduleRetry(r);
            }
          }
          if (lost) {
            log.info("watched directory {} is gone; retrying until it is back", r.dir);
            WatchEvent gone = new WatchEvent(WatchEvent.Kind.DELETE_SELF, r.dir, "", 0, true, now);
            callback(() -> listener.onEvent(gone));
          }
        }
      }
    } catch (ClosedWatchServiceException e) {
      // closed: normal shutdown
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      log.error("watch service thread failed; file changes are no longer seen", e);
    }
  }

  private void callback(Runnable call) {
    synchronized (callbackLock) {
      try {
        call.run();
      } catch (RuntimeException e) {
        log.error("file watch listener failed; the watcher carries on", e);
      }
    }
  }

  private static final class Registration {
    final Path dir;
    WatchKey key;
    int attempts;

    Registration(Path dir) {
      this.dir = dir;
    }
  }
}
