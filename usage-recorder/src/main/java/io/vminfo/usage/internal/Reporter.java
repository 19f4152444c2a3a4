package io.vminfo.usage.internal;

import io.vminfo.core.text.IsoMillis;
import io.vminfo.usage.ObjectStoreException;
import io.vminfo.usage.UsageListener;
import io.vminfo.usage.UsageStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every part of the recorder reports what happened: running totals for {@link UsageStatus},
 * the last problem, and the embedder's {@link UsageListener}, whose failures are contained here.
 */
public final class Reporter {
  private static final Logger log = LoggerFactory.getLogger(Reporter.class);

  private final UsageListener listener;
  private final Clock clock;
  private final AtomicLong samplesWritten = new AtomicLong();
  private final AtomicLong recordsWritten = new AtomicLong();
  private final AtomicLong uploadsSucceeded = new AtomicLong();
  private final AtomicLong uploadsFailed = new AtomicLong();
  private final AtomicLong droppedBytes = new AtomicLong();
  private final AtomicLong droppedFiles = new AtomicLong();
  private final AtomicLong droppedSamples = new AtomicLong();
  private final AtomicLong intervalsSkipped = new AtomicLong();
  private final AtomicLong probeFailures = new AtomicLong();
  private final AtomicReference<Instant> lastSample = new AtomicReference<>();
  private final AtomicReference<Instant> lastUpload = new AtomicReference<>();
  private final AtomicReference<UsageStatus.Problem> lastError = new AtomicReference<>();
  private final AtomicReference<Instant> clockBehindUntil = new AtomicReference<>();

  public Reporter(UsageListener listener, Clock clock) {
    this.listener = listener;
    this.clock = clock;
  }

  public void sampleTaken(Instant timestamp) {
    lastSample.accumulateAndGet(timestamp, (a, b) -> a == null || b.isAfter(a) ? b : a);
  }

  public void sampleWritten(Instant timestamp, int records, long bytes) {
    samplesWritten.incrementAndGet();
    recordsWritten.addAndGet(records);
    notify(l -> l.sampleWritten(timestamp, records, bytes));
  }

  public void uploadSucceeded(String remotePath, long bytes) {
    uploadsSucceeded.incrementAndGet();
    lastUpload.set(clock.instant());
    notify(l -> l.uploadSucceeded(remotePath, bytes));
  }

  public void uploadFailed(String remotePath, ObjectStoreException e) {
    uploadsFailed.incrementAndGet();
    problem("upload", remotePath + ": " + e.getMessage());
    notify(l -> l.uploadFailed(remotePath, e));
  }

  /** A spool file thrown away. */
  public void droppedFile(String file, long bytes, String reason) {
    droppedFiles.incrementAndGet();
    droppedBytes.addAndGet(bytes);
    log.warn("usage data DROPPED: {} ({} bytes): {}", file, bytes, reason);
    problem("spool", "dropped " + file + " (" + bytes + " bytes): " + reason);
    notify(l -> l.dropped(file, bytes, reason));
  }

  /** A sample never written. */
  public void droppedSample(Instant timestamp, int records, long bytes, String reason) {
    droppedSamples.incrementAndGet();
    droppedBytes.addAndGet(bytes);
    String what = "sample " + IsoMillis.format(timestamp);
    log.warn("usage data DROPPED: {} ({} records, {} bytes): {}", what, records, bytes, reason);
    problem("spool", "dropped " + what + " (" + records + " records): " + reason);
    notify(l -> l.dropped(what, bytes, reason));
  }

  public void setAside(String file, String reason) {
    log.error("usage file set aside as corrupt: {}: {}", file, reason);
    problem("corrupt", file + ": " + reason);
    notify(l -> l.setAside(file, reason));
  }

  public void intervalsSkipped(long n) {
    intervalsSkipped.addAndGet(n);
  }

  public void probeFailed() {
    probeFailures.incrementAndGet();
  }

  /** The clock is behind the newest sample taken: nothing is sampled until it passes it. */
  public void clockBehind(Instant lastSampleTaken) {
    clockBehindUntil.set(lastSampleTaken);
  }

  /** The clock is past the newest sample again. */
  public void clockCaughtUp() {
    clockBehindUntil.set(null);
  }

  /** Records a problem for status (the caller logs it with its context). */
  public void problem(String component, String message) {
    lastError.set(new UsageStatus.Problem(clock.instant(), component, message));
  }

  /** The status snapshot: these totals plus the spool's and sampler's current figures. */
  public UsageStatus status(
      boolean running,
      Spool.Snapshot spool,
      int samplesWaiting,
      long capBytes,
      Optional<Instant> nextUploadAttempt) {
    return new UsageStatus(
        running,
        Optional.ofNullable(lastSample.get()),
        samplesWritten.get(),
        recordsWritten.get(),
        samplesWaiting,
        spool.filesPending(),
        spool.bytesPending(),
        spool.oldestPendingHour(),
        spool.spoolBytes(),
        capBytes,
        Optional.ofNullable(lastUpload.get()),
        uploadsSucceeded.get(),
        uploadsFailed.get(),
        nextUploadAttempt,
        Optional.ofNullable(lastError.get()),
        droppedBytes.get(),
        droppedFiles.get(),
        droppedSamples.get(),
        intervalsSkipped.get(),
        Optional.ofNullable(clockBehindUntil.get()),
        probeFailures.get(),
        spool.parked(),
        spool.setAside());
  }

  private void notify(Consumer<UsageListener> call) {
    try {
      call.accept(listener);
    } catch (RuntimeException e) {
      log.warn("usage listener failed", e);
    }
  }
}
