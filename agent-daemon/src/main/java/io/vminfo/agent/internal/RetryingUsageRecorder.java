package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.core.internal.Json;
import io.vminfo.core.text.IsoMillis;
import io.vminfo.usage.WaitingSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent serving when its usage spool cannot be used (a read-only or missing file system,
 * a directory it may not write): the recorder's start is tried again every {@code retryEvery} on a
 * thread of its own until it succeeds, while {@code /status} says {@code "state":"unavailable"}
 * with the error. Once the spool works the recorder fills in the missed sampling boundaries from
 * its last sample on disk (up to {@code usage.max_catch_up}), so a short outage loses nothing. Two
 * things stay fatal, because retrying cannot fix them: another agent holding the spool ({@link
 * DirectoryLock.DirectoryInUseException}) and settings the recorder refuses (found when the first
 * recorder is made, before this class is).
 *
 * <p>A {@code spool_dir} outside the state directory gets its own {@link DirectoryLock}, taken here
 * before each try and held until {@link #close}.
 *
 * <p>A spool whose file system turns read-only while the recorder runs (EROFS: ext4 remounts itself
 * read-only after I/O errors) cannot come back by waiting: the kernel refuses to make it writable
 * again while files there are open, and the repair (unmount, fsck, mount) needs the files closed.
 * So every {@code retryEvery} the running recorder is asked, and when its last write met a
 * read-only file system it is stopped (its files and the spool's lock are closed), the samples it
 * could not write are kept in memory, and its start is tried again as above; the successor writes
 * the kept samples first, then catches up the minutes it did not see. A separate spool that a
 * recorder already used must still hold its lock file to be used again, so that a try between an
 * unmount and the mount does not start on the empty mount point.
 */
public final class RetryingUsageRecorder implements UsageRecorderPort {
  private static final Logger log = LoggerFactory.getLogger(RetryingUsageRecorder.class);

  private final Function<WaitingSamples, UsageRecorderPort> factory;
  private final Optional<Path> separateSpoolDir;
  private final Path spoolDir;
  private final Duration retryEvery;
  private final Clock clock;
  private final Object lock = new Object();
  private UsageRecorderPort next;
  private volatile UsageRecorderPort running;
  private DirectoryLock spoolLock;
  private ScheduledExecutorService retries;
  private volatile Unavailable unavailable;
  private long attempts;
  private WaitingSamples carry = WaitingSamples.none();
  private boolean everStarted;
  private ScheduledFuture<?> watch;
  private boolean closed;

  private record Unavailable(Instant since, Instant at, String message, Instant nextAttempt) {}

  /**
   * @param first the recorder made from the configuration (not started)
   * @param factory makes a fresh recorder for each later try (a failed one cannot start again),
   *     given the samples its predecessor could not write
   * @param separateSpoolDir the spool directory when it is outside the state directory
   */
  public RetryingUsageRecorder(
      UsageRecorderPort first,
      Function<WaitingSamples, UsageRecorderPort> factory,
      Path spoolDir,
      Optional<Path> separateSpoolDir,
      Duration retryEvery,
      Clock clock) {
    this.next = Objects.requireNonNull(first, "first");
    this.factory = Objects.requireNonNull(factory, "factory");
    this.spoolDir = Objects.requireNonNull(spoolDir, "spoolDir");
    this.separateSpoolDir = Objects.requireNonNull(separateSpoolDir, "separateSpoolDir");
    this.retryEvery = Objects.requireNonNull(retryEvery, "retryEvery");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (retryEvery.isNegative() || retryEvery.isZero()) {
      throw new IllegalArgumentException("retryEvery must be positive, got " + retryEvery);
    }
  }

  /**
   * The first try. Another agent on the spool is thrown; any other failure is logged, shown in
   * {@link #status} and retried in the background.
   */
  @Override
  public void start() throws IOException {
    try {
      attempt();
    } catch (DirectoryLock.DirectoryInUseException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      failed(e);
    }
  }

  private void attempt() throws IOException {
    UsageRecorderPort port;
    synchronized (lock) {
      if (closed) {
        return;
      }
      attempts++;
      if (spoolLock == null && separateSpoolDir.isPresent()) {
        Path dir = separateSpoolDir.get();
        if (everStarted && !Files.exists(dir.resolve(DirectoryLock.FILE_NAME))) {
          throw new IOException(
              "spool directory "
                  + dir
                  + " has lost its "
                  + DirectoryLock.FILE_NAME
                  + ": not the spool used before (its file system not mounted again yet?)");
        }
        spoolLock = DirectoryLock.acquire(dir, "spool directory");
      }
      port = next != null ? next : factory.apply(carry);
      next = null;
    }
    try {
      port.start();
    } catch (IOException | RuntimeException e) {
      port.close();
      throw e;
    }
    synchronized (lock) {
      if (closed) {
        port.close();
        return;
      }
      running = port;
      everStarted = true;
      carry = WaitingSamples.none();
      watchSpool();
      if (unavailable != null) {
        log.info(
            "usage recording works again after {} tries (unavailable since {})",
            attempts,
            IsoMillis.format(unavailable.since()));
        unavailable = null;
      }
    }
  }

  /** Asks the running recorder every {@code retryEvery} whether its spool turned read-only. */
  private void watchSpool() {
    ensureExecutor();
    if (watch == null) {
      watch =
          retries.scheduleWithFixedDelay(
              this::checkSpool,
              retryEvery.toMillis(),
              retryEvery.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  private void checkSpool() {
    UsageRecorderPort r = running;
    if (r == null || !r.spoolReadOnly()) {
      return;
    }
    DirectoryLock held;
    synchronized (lock) {
      if (closed || running != r) {
        return;
      }
      running = null;
      held = spoolLock;
      spoolLock = null;
    }
    r.flush(Duration.ofSeconds(5));
    r.close();
    WaitingSamples kept = r.takeWaiting();
    if (held != null) {
      try {
        held.close();
      } catch (IOException e) {
        log.warn("releasing the spool directory lock failed: {}", e.toString());
      }
    }
    synchronized (lock) {
      carry = kept;
    }
    log.error(
        "usage spool {} is on a read-only file system: the recorder stopped and closed its"
            + " files there so that it can be repaired (unmount, fsck, mount); {} kept in memory",
        spoolDir,
        kept);
    failed(
        new IOException(
            "the spool's file system is read-only; the recorder closed its files"
                + " there so that it can be repaired, and "
                + kept
                + " wait in memory"));
  }

  private void ensureExecutor() {
    if (retries == null) {
      retries =
          Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("vminfo-usage-retry"));
    }
  }

  private void failed(Exception e) {
    String message = e.getMessage() != null ? e.getMessage() : e.toString();
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      Unavailable before = unavailable;
      unavailable =
          new Unavailable(
              before != null ? before.since() : now, now, message, now.plus(retryEvery));
      if (before == null) {
        log.error(
            "usage recording unavailable, spool {}: {}; the agent serves and tries again"
                + " every {}",
            spoolDir,
            message,
            Units.format(retryEvery));
      } else if (!before.message().equals(message)) {
        log.warn("usage recording still unavailable: {}", message);
      } else {
        log.debug("usage recording still unavailable: {}", message);
      }
      ensureExecutor();
      retries.schedule(this::retry, retryEvery.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void retry() {
    try {
      attempt();
    } catch (IOException | RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public ObjectNode status() {
    UsageRecorderPort r = running;
    if (r != null) {
      return r.status();
    }
    ObjectNode o = Json.NODES.objectNode();
    Unavailable u = unavailable;
    o.put("state", u != null ? "unavailable" : "starting");
    o.putObject("spool").put("dir", spoolDir.toString());
    if (u != null) {
      o.put("since", IsoMillis.format(u.since()));
      o.put("nextAttempt", IsoMillis.format(u.nextAttempt()));
      ObjectNode x = o.putObject("lastError");
      x.put("at", IsoMillis.format(u.at()));
      x.put("component", "spool");
      x.put("message", u.message());
    }
    return o;
  }

  @Override
  public byte[] latestSamplesJson() {
    UsageRecorderPort r = running;
    return r != null ? r.latestSamplesJson() : new byte[] {'[', ']'};
  }

  @Override
  public UsageCounters counters() {
    UsageRecorderPort r = running;
    return r != null ? r.counters() : UsageCounters.NONE;
  }

  @Override
  public void flush(Duration budget) {
    stopRetrying();
    UsageRecorderPort r = running;
    if (r != null) {
      r.flush(budget);
    }
  }

  @Override
  public void close() {
    stopRetrying();
    UsageRecorderPort r = running;
    if (r != null) {
      r.close();
    }
    UsageRecorderPort unstarted;
    DirectoryLock held;
    synchronized (lock) {
      unstarted = next;
      next = null;
      held = spoolLock;
      spoolLock = null;
    }
    if (unstarted != null) {
      unstarted.close();
    }
    if (held != null) {
      try {
        held.close();
      } catch (IOException e) {
        log.warn("releasing the spool directory lock failed: {}", e.toString());
      }
    }
  }

  /** After this no try starts; one in progress finishes and then closes what it started. */
  private void stopRetrying() {
    ScheduledExecutorService r;
    synchronized (lock) {
      closed = true;
      r = retries;
    }
    if (r != null) {
      r.shutdownNow();
      try {
        if (!r.awaitTermination(5, TimeUnit.SECONDS)) {
          log.warn("a usage recorder start still runs after 5 s; it stops itself when done");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
