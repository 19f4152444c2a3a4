package io.vminfo.sysevent.internal.watch;

import static io.vminfo.sysevent.internal.watch.LibC.*;

import io.vminfo.core.concurrent.Backoff;
import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FileWatcher} on Linux inotify, called through JNR-FFI: {@code inotify_init1}, {@code
 * inotify_add_watch}, {@code inotify_rm_watch}, {@code poll} and {@code read} on one named daemon
 * thread that owns every watch.
 *
 * <p>The thread blocks in {@code poll} on the inotify descriptor and an eventfd (used to hand it
 * commands and to stop it); its poll timeout is the next due retry of a missing directory, or
 * infinite when nothing is pending, so an idle watcher never wakes up.
 */
public final class InotifyWatcher implements FileWatcher {
  private static final Logger log = LoggerFactory.getLogger(InotifyWatcher.class);

  static final int MASK =
      IN_CREATE
          | IN_CLOSE_WRITE
          | IN_MOVED_FROM
          | IN_MOVED_TO
          | IN_DELETE
          | IN_DELETE_SELF
          | IN_MOVE_SELF
          | IN_ONLYDIR;
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int HEADER_BYTES = 16;
  private static final long COMMAND_TIMEOUT_SECONDS = 10;
  private static final Set<WatchEvent.Kind> KINDS =
      EnumSet.of(
          WatchEvent.Kind.CREATED,
          WatchEvent.Kind.CLOSE_WRITE,
          WatchEvent.Kind.MOVED_FROM,
          WatchEvent.Kind.MOVED_TO,
          WatchEvent.Kind.DELETED,
          WatchEvent.Kind.DELETE_SELF);

  private final WatchListener listener;
  private final Backoff retry;
  private final LibC libc;
  private final Runtime runtime;
  private final int inotifyFd;
  private final int wakeFd;
  private final Pointer buffer;
  private final Pointer pollFds;
  private final Pointer wakeRead;
  private final Pointer wakeWrite;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
  private final ConcurrentHashMap<Path, Boolean> active = new ConcurrentHashMap<>();
  private volatile boolean closed;

  // Owned by the watcher thread only.
  private final Map<Path, Registration> registrations = new HashMap<>();
  private final Map<Integer, List<Registration>> byWd = new HashMap<>();
  private final Set<Registration> pending = new LinkedHashSet<>();

  public InotifyWatcher(WatchListener listener, Backoff retry, String threadName)
      throws IOException {
    this.listener = listener;
    this.retry = retry;
    this.libc = NativeLibC.get();
    this.runtime = Runtime.getRuntime(libc);
    int fd = libc.inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0) {
      throw new IOException(
          "inotify_init1 failed: "
              + NativeLibC.describeErrno(runtime.getLastError())
              + " (see /proc/sys/fs/inotify/max_user_instances)");
    }
    int efd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) {
      int errno = runtime.getLastError();
      libc.close(fd);
      throw new IOException("eventfd failed: " + NativeLibC.describeErrno(errno));
    }
    this.inotifyFd = fd;
    this.wakeFd = efd;
    this.buffer = Memory.allocateDirect(runtime, BUFFER_BYTES);
    this.pollFds = Memory.allocateDirect(runtime, 16);
    this.wakeRead = Memory.allocateDirect(runtime, 8);
    this.wakeWrite = Memory.allocateDirect(runtime, 8);
    pollFds.putInt(0, inotifyFd);
    pollFds.putShort(4, POLLIN);
    pollFds.putInt(8, wakeFd);
    pollFds.putShort(12, POLLIN);
    this.thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether libc can be bound on this machine. */
  public static boolean nativeAvailable() {
    return NativeLibC.available();
  }

  @Override
  public void watch(Path directory) throws IOException {
    Path dir = directory.toAbsolutePath().normalize();
    call(() -> addRegistration(dir));
  }

  @Override
  public void unwatch(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    try {
      call(() -> removeRegistration(dir));
    } catch (IOException e) {
      log.debug("unwatch {} not confirmed: {}", dir, e.getMessage());
    }
  }

  @Override
  public boolean isWatching(Path directory) {
    return Boolean.TRUE.equals(active.get(directory.toAbsolutePath().normalize()));
  }

  @Override
  public Set<Path> pendingDirectories() {
    Set<Path> out = new LinkedHashSet<>();
    active.forEach(
        (p, live) -> {
          if (!live) {
            out.add(p);
          }
        });
    return Set.copyOf(out);
  }

  @Override
  public String implementation() {
    return "inotify";
  }

  @Override
  public Set<WatchEvent.Kind> supportedKinds() {
    return KINDS;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    wake();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("inotify thread {} did not stop within 5 s", thread.getName());
      }
    }
  }

  /** Runs {@code command} on the watcher thread and waits for it. */
  private void call(Runnable command) throws IOException {
    if (closed) {
      throw new IOException("file watcher is closed");
    }
    if (Thread.currentThread() == thread) {
      command.run(); // called from a listener callback: we already are the watcher thread
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    commands.add(
        () -> {
          try {
            command.run();
            done.complete(null);
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        });
    wake();
    try {
      done.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the inotify thread", e);
    } catch (ExecutionException e) {
      throw new IOException("inotify command failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(
          "inotify thread did not answer within " + COMMAND_TIMEOUT_SECONDS + " s");
    }
  }

  private void wake() {
    synchronized (wakeWrite) {
      wakeWrite.putLong(0, 1L);
      if (libc.write(wakeFd, wakeWrite, 8) < 0) {
        int errno = runtime.getLastError();
        if (errno != EAGAIN) {
          log.warn("waking the inotify thread failed: {}", NativeLibC.describeErrno(errno));
        }
      }
    }
  }

  private void loop() {
    try {
      while (!closed) {
        pollFds.putShort(6, (short) 0);
        pollFds.putShort(14, (short) 0);
        int n = libc.poll(pollFds, 2, pollTimeoutMillis());
        if (n < 0) {
          int errno = runtime.getLastError();
          if (errno == EINTR) {
            continue;
          }
          log.error(
              "poll on inotify failed: {}; the watcher stops", NativeLibC.describeErrno(errno));
          break;
        }
        if (closed) {
          break;
        }
        if ((pollFds.getShort(14) & POLLIN) != 0) {
          libc.read(wakeFd, wakeRead, 8);
        }
        Runnable command;
        while ((command = commands.poll()) != null) {
          command.run();
        }
        if ((pollFds.getShort(6) & POLLIN) != 0) {
          readEvents();
        }
        retryDue();
      }
    } catch (RuntimeException | Error e) {
      log.error("inotify thread failed; file changes are no longer seen", e);
    } finally {
      closed = true;
      Runnable command;
      while ((command = commands.poll()) != null) {
        command.run();
      }
      libc.close(inotifyFd);
      libc.close(wakeFd);
      active.clear();
    }
  }

  private int pollTimeoutMillis() {
    if (pending.isEmpty()) {
      return -1;
    }
    long now = System.nanoTime();
    long soonest = Long.MAX_VALUE;
    for (Registration r : pending) {
      soonest = Math.min(soonest, r.dueNanos - now);
    }
    if (soonest <= 0) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(soonest) + 1);
  }

  private void readEvents() {
    while (true) {
      long n = libc.read(inotifyFd, buffer, BUFFER_BYTES);
      if (n < 0) {
        int errno = runtime.getLastError();
        if (errno == EINTR) {
          continue;
        }
        if (errno != EAGAIN) {
          log.error("reading inotify events failed: {}", NativeLibC.describeErrno(errno));
        }
        return;
      }
      if (n == 0) {
        return;
      }
      long now = System.nanoTime();
      int off = 0;
      while (off + HEADER_BYTES <= n) {
        int wd = buffer.getInt(off);
        int mask = buffer.getInt(off + 4);
        int cookie = buffer.getInt(off + 8);
        int len = buffer.getInt(off + 12);
        String name = len > 0 ? cString(off + HEADER_BYTES, len) : "";
        off += HEADER_BYTES + len;
        dispatch(wd, mask, cookie, name, now);
      }
    }
  }

  private String cString(int offset, int maxLen) {
    byte[] bytes = new byte[maxLen];
    buffer.get(offset, bytes, 0, maxLen);
    int end = 0;
    while (end < maxLen && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  private void dispatch(int wd, int mask, int cookie, String name, long now) {
    if ((mask & IN_Q_OVERFLOW) != 0) {
      log.warn("inotify queue overflowed: events were lost; listeners rescan");
      safely(listener::onOverflow);
      return;
    }
    List<Registration> regs = byWd.get(wd);
    if (regs == null) {
      return; // a watch we removed ourselves; its last events are stale
    }
    if ((mask & IN_IGNORED) != 0) {
      byWd.remove(wd);
      for (Registration r : regs) {
        r.wd = -1;
        if (registrations.get(r.dir) == r) {
          log.info("watched directory {} is gone; retrying until it is back", r.dir);
          r.attempts = 0;
          schedule(r);
        }
      }
      return;
    }
    if ((mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) != 0) {
      for (Registration r : List.copyOf(regs)) {
        emit(new WatchEvent(WatchEvent.Kind.DELETE_SELF, r.dir, "", 0, true, now));
      }
      if ((mask & IN_MOVE_SELF) != 0) {
        // The watch follows the inode to its new name; drop it so the path is watched afresh.
        libc.inotify_rm_watch(inotifyFd, wd);
      }
      return;
    }
    WatchEvent.Kind kind = kindOf(mask);
    if (kind == null) {
      return;
    }
    boolean isDir = (mask & IN_ISDIR) != 0;
    for (Registration r : regs.size() == 1 ? regs : List.copyOf(regs)) {
      emit(new WatchEvent(kind, r.dir, name, cookie, isDir, now));
    }
  }

  private static WatchEvent.Kind kindOf(int mask) {
    if ((mask & IN_CLOSE_WRITE) != 0) {
      return WatchEvent.Kind.CLOSE_WRITE;
    }
    if ((mask & IN_MOVED_TO) != 0) {
      return WatchEvent.Kind.MOVED_TO;
    }
    if ((mask & IN_MOVED_FROM) != 0) {
      return WatchEvent.Kind.MOVED_FROM;
    }
    if ((mask & IN_CREATE) != 0) {
      return WatchEvent.Kind.CREATED;
    }
    if ((mask & IN_DELETE) != 0) {
      return WatchEvent.Kind.DELETED;
    }
    return null;
  }

  private void emit(WatchEvent event) {
    safely(() -> listener.onEvent(event));
  }

  private void safely(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.error("file watch listener failed; the watcher carries on", e);
    }
  }

  private void addRegistration(Path dir) {
    if (registrations.containsKey(dir)) {
      return;
    }
    Registration r = new Registration(dir);
    registrations.put(dir, r);
    attach(r, true);
  }

  private void removeRegistration(Path dir) {
    Registration r = registrations.remove(dir);
    active.remove(dir);
    if (r == null) {
      return;
    }
    pending.remove(r);
    if (r.wd >= 0) {
      List<Registration> regs = byWd.get(r.wd);
      if (regs != null) {
        regs.remove(r);
        if (regs.isEmpty()) {
          byWd.remove(r.wd);
          libc.inotify_rm_watch(inotifyFd, r.wd);
        }
      }
      r.wd = -1;
    }
  }

  /** Tries to add the kernel watch; schedules a retry when the directory is not there. */
  private boolean attach(Registration r, boolean initial) {
    byte[] path = (r.dir.toString() + '\0').getBytes(StandardCharsets.UTF_8);
    int wd = libc.inotify_add_watch(inotifyFd, path, MASK);
    if (wd < 0) {
      int errno = runtime.getLastError();
      boolean expected = errno == 2 /* ENOENT */ || errno == 20 /* ENOTDIR */;
      if (!expected && !r.warned) {
        r.warned = true;
        log.warn("cannot watch {}: {}; will retry", r.dir, NativeLibC.describeErrno(errno));
      }
      schedule(r);
      return false;
    }
    r.wd = wd;
    r.attempts = 0;
    r.warned = false;
    pending.remove(r);
    byWd.computeIfAbsent(wd, k -> new ArrayList<>(1)).add(r);
    active.put(r.dir, Boolean.TRUE);
    if (!initial) {
      log.debug("now watching {}", r.dir);
      safely(() -> listener.onWatchEstablished(r.dir));
    }
    return true;
  }

  private void schedule(Registration r) {
    r.dueNanos = System.nanoTime() + retry.ceiling(r.attempts + 1).toNanos();
    r.attempts = Math.min(r.attempts + 1, 30);
    pending.add(r);
    active.put(r.dir, Boolean.FALSE);
  }

  private void retryDue() {
    if (pending.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    for (Registration r : List.copyOf(pending)) {
      if (r.dueNanos - now <= 0 && registrations.get(r.dir) == r && r.wd < 0) {
        pending.remove(r);
        attach(r, false);
      }
    }
  }

  private static final class Registration {
    final Path dir;
    int wd = -1;
    int attempts;
    long dueNanos;
    boolean warned;

    Registration(Path dir) {
      this.dir = dir;
    }
  }
}
