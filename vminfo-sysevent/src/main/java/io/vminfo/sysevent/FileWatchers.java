package io.vminfo.sysevent;

import io.vminfo.core.concurrent.Backoff;
import io.vminfo.sysevent.internal.watch.InotifyWatcher;
import io.vminfo.sysevent.internal.watch.JdkWatcher;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates {@link FileWatcher}s: inotify through JNR-FFI on Linux, the JDK WatchService elsewhere.
 */
public final class FileWatchers {
  private static final Logger log = LoggerFactory.getLogger(FileWatchers.class);

  private FileWatchers() {}

  /** Which implementation to use. */
  public enum Implementation {
    /** inotify on Linux when it can be loaded, the JDK WatchService otherwise. */
    AUTO,
    /** inotify through JNR-FFI (Linux only). */
    INOTIFY,
    /** The JDK WatchService (any OS). */
    JDK
  }

  /** A watcher with the default settings ({@link Implementation#AUTO}). */
  public static FileWatcher create(WatchListener listener) throws IOException {
    return builder(listener).build();
  }

  public static Builder builder(WatchListener listener) {
    return new Builder(listener);
  }

  /** Whether the inotify implementation can be used on this machine. */
  public static boolean inotifyAvailable() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
        && InotifyWatcher.nativeAvailable();
  }

  /** Configures a watcher. */
  public static final class Builder {
    private final WatchListener listener;
    private Implementation implementation = Implementation.AUTO;
    private Duration firstRetry = Duration.ofMillis(100);
    private Duration maxRetry = Duration.ofSeconds(5);
    private String threadName = "vminfo-watch";

    private Builder(WatchListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    public Builder implementation(Implementation implementation) {
      this.implementation = Objects.requireNonNull(implementation, "implementation");
      return this;
    }

    /**
     * Delays between attempts to watch a missing directory: {@code first}, doubling up to {@code
     * max} (defaults 100 ms and 5 s).
     */
    public Builder retryDelays(Duration first, Duration max) {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(max, "max");
      if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
        throw new IllegalArgumentException(
            "retry delays need 0 < first <= max, got first=" + first + " max=" + max);
      }
      this.firstRetry = first;
      this.maxRetry = max;
      return this;
    }

    /** Name of the watcher's thread (default {@code vminfo-watch}). */
    public Builder threadName(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("thread name must be non-blank");
      }
      this.threadName = name;
      return this;
    }

    public FileWatcher build() throws IOException {
      Backoff retry = new Backoff(firstRetry, maxRetry);
      switch (implementation) {
        case INOTIFY:
          return new InotifyWatcher(listener, retry, threadName);
        case JDK:
          return new JdkWatcher(listener, retry, threadName);
        default:
          if (inotifyAvailable()) {
            try {
              return new InotifyWatcher(listener, retry, threadName);
            } catch (IOException | RuntimeException | LinkageError e) {
              log.warn("inotify unavailable ({}); using the JDK WatchService", e.toString());
            }
          }
          return new JdkWatcher(listener, retry, threadName);
      }
    }
  }
}
