package io.vminfo.usage.internal;

import io.vminfo.core.concurrent.Backoff;
import io.vminfo.usage.ObjectStore;
import io.vminfo.usage.ObjectStoreException;
import io.vminfo.usage.RemotePathTemplate;
import io.vminfo.usage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of the spool's outbound side: seal the hours that are over (plus grace), delete expired
 * retained copies, enforce the cap, and upload sealed files oldest first. A transient failure stops
 * the round and sets a backoff before the next upload attempt; a permanent one parks that file and
 * the round goes on with the next. Parked files are tried again after {@code parkedRetry}.
 *
 * <p>Before a file is uploaded its MD5 is checked against the one recorded when it was sealed; a
 * file that changed on disk is set aside as corrupt, never uploaded.
 */
public final class Shipper {
  private static final Logger log = LoggerFactory.getLogger(Shipper.class);
  private static final int MAX_MD5_MISMATCHES = 3;

  private final Spool spool;
  private final Sealer sealer;
  private final ObjectStore store;
  private final RemotePathTemplate remotePaths;
  private final Clock clock;
  private final Duration grace;
  private final Duration idleWake;
  private final Backoff backoff;

  /** Backoff jitter, values in [0, 1]. */
  private final DoubleSupplier jitter;

  private final Reporter reporter;
  private final Duration parkedRetry;
  private final Map<SegmentKey, Integer> md5Mismatches = new HashMap<>();
  private final ReentrantLock round = new ReentrantLock();
  private volatile boolean stopping;
  private int failures;
  private volatile Instant retryAt;
  // A seal that cannot be done (a full or read-only disk) stays due; without a pause the next
  // round would be "now" again and the shipper would spin, logging an error each time.
  private int sealFailures;
  private Instant sealRetryAt;

  public Shipper(
      Spool spool,
      Sealer sealer,
      ObjectStore store,
      RemotePathTemplate remotePaths,
      Clock clock,
      Duration grace,
      Duration idleWake,
      Backoff backoff,
      DoubleSupplier jitter,
      Duration parkedRetry,
      Reporter reporter) {
    this.spool = spool;
    this.sealer = sealer;
    this.store = store;
    this.remotePaths = remotePaths;
    this.clock = clock;
    this.grace = grace;
    this.idleWake = idleWake;
    this.backoff = backoff;
    this.jitter = jitter;
    this.parkedRetry = parkedRetry;
    this.reporter = reporter;
  }

  /** Runs one round; returns when the next round is wanted. */
  public Instant runOnce() {
    round.lock();
    try {
      Instant now = clock.instant();
      if (sealRetryAt == null || !now.isBefore(sealRetryAt)) {
        sealDue(now);
        Optional<Instant> stillDue = spool.nextSealDue(grace);
        if (stillDue.isPresent() && !stillDue.get().isAfter(now)) {
          sealFailures++;
          sealRetryAt = clock.instant().plus(backoff.delay(sealFailures, jitter.getAsDouble()));
        } else {
          sealFailures = 0;
          sealRetryAt = null;
        }
      }
      spool.expireRetained(now);
      spool.enforceCap();
      spool.unparkDue(now, parkedRetry);
      if (retryAt == null || !clock.instant().isBefore(retryAt)) {
        retryAt = null;
        uploadPending();
      }
      return nextWake(clock.instant());
    } finally {
      round.unlock();
    }
  }

  /** Waits (up to {@code timeout}) for a running round to end; false if it did not. */
  public boolean awaitIdle(Duration timeout) {
    try {
      if (round.tryLock(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
        round.unlock();
        return true;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Makes the running round (if any) stop after its current file. */
  public void stop() {
    stopping = true;
  }

  /** When uploads resume, while backing off. */
  public Optional<Instant> nextAttempt() {
    return Optional.ofNullable(retryAt);
  }

  private void sealDue(Instant now) {
    for (SegmentKey k : spool.claimForSealing(now, grace)) {
      if (stopping) {
        spool.sealFailed(k);
        continue;
      }
      try {
        Sealer.Result r = sealer.seal(k);
        spool.sealed(k, r);
        log.debug("sealed {}: {} -> {} bytes", k, r.logBytes(), r.gzBytes());
      } catch (IOException | RuntimeException e) {
        spool.sealFailed(k);
        reporter.problem(
            "seal", "cannot seal " + spool.layout().relative(spool.layout().log(k)) + ": " + e);
        log.error(
            "cannot seal {} (tried again after a pause): {}", spool.layout().log(k), e.toString());
      }
    }
  }

  private void uploadPending() {
    while (!stopping) {
      Optional<Spool.UploadJob> job = spool.claimUpload();
      if (job.isEmpty()) {
        return;
      }
      if (!upload(job.get())) {
        failures++;
        Duration wait = backoff.delay(failures, jitter.getAsDouble());
        retryAt = clock.instant().plus(wait);
        log.info("usage uploads paused for {} after {} consecutive failure(s)", wait, failures);
        return;
      }
    }
  }

  /** Returns false on a transient failure (the round stops), true otherwise. */
  private boolean upload(Spool.UploadJob job) {
    SegmentKey k = job.key();
    String remote = remotePaths.render(k.hour(), k.server(), k.segment());
    String md5;
    try {
      md5 = Md5.ofFile(job.file());
      if (job.md5().isPresent()) {
        if (!job.md5().get().equals(md5)) {
          spool.setAsideSealed(k, "MD5 is " + md5 + " but was " + job.md5().get() + " when sealed");
          return true;
        }
      } else {
        Optional<String> problem = gzipProblem(job.file());
        if (problem.isPresent()) {
          spool.setAsideSealed(k, "no MD5 recorded and the gzip is damaged: " + problem.get());
          return true;
        }
        spool.md5Recovered(k, md5);
        log.warn("{} had no recorded MD5; the gzip checks out, recorded {}", job.file(), md5);
      }
    } catch (IOException e) {
      spool.release(k);
      reporter.problem("upload", "cannot read " + job.sealedName() + ": " + e);
      log.error("cannot read {} for upload: {}", job.file(), e.toString());
      return false;
    }
    StoredObject stored;
    try {
      stored = store.put(job.file(), remote, md5);
    } catch (ObjectStoreException e) {
      reporter.uploadFailed(remote, e);
      if (e.isTransient()) {
        spool.release(k);
        log.warn(
            "upload of {} to {} failed, will retry: {}", job.sealedName(), remote, e.getMessage());
        return false;
      }
      spool.park(k, remote, e.getMessage());
      log.error(
          "upload of {} to {} failed permanently; parked, tried again in {}: {}",
          job.sealedName(),
          remote,
          parkedRetry,
          e.getMessage());
      return true;
    } catch (RuntimeException | Error e) {
      // A bug in the store adapter (even an Error such as a LinkageError) will not fix itself by
      // retrying at once: park, visibly, and go on with the other files.
      reporter.uploadFailed(remote, ObjectStoreException.permanent(e.toString(), e));
      spool.park(k, remote, "object store failed unexpectedly: " + e);
      log.error("upload of {} to {} failed unexpectedly; parked", job.sealedName(), remote, e);
      return true;
    }
    if (!md5.equals(stored.computedMd5Base64())) {
      int n = md5Mismatches.merge(k, 1, Integer::sum);
      String msg =
          "store computed MD5 "
              + stored.computedMd5Base64()
              + " for "
              + remote
              + " but the file's is "
              + md5;
      if (n >= MAX_MD5_MISMATCHES) {
        md5Mismatches.remove(k);
        reporter.uploadFailed(remote, ObjectStoreException.permanent(msg, null));
        spool.park(k, remote, msg + " (" + n + " times)");
        log.error("{} ({} times); parked", msg, n);
        return true;
      }
      reporter.uploadFailed(remote, ObjectStoreException.retryable(msg, null));
      spool.release(k);
      log.warn("{}; will upload again", msg);
      return false;
    }
    md5Mismatches.remove(k);
    try {
      spool.uploaded(
          k, new Ledger.Entry(job.sealedName(), remote, md5, stored.bytes(), clock.instant()));
    } catch (IOException e) {
      reporter.problem("ledger", "cannot record the upload of " + job.sealedName() + ": " + e);
      log.error(
          "uploaded {} but cannot record it in the ledger (it will be uploaded again, same"
              + " bytes to the same path): {}",
          job.sealedName(),
          e.toString());
      return false;
    }
    failures = 0;
    reporter.uploadSucceeded(remote, stored.bytes());
    log.debug("uploaded {} to {} ({} bytes)", job.sealedName(), remote, stored.bytes());
    return true;
  }

  private Instant nextWake(Instant now) {
    Instant next = now.plus(idleWake);
    if (retryAt != null && retryAt.isBefore(next)) {
      next = retryAt;
    }
    Optional<Instant> seal = spool.nextSealDue(grace);
    if (seal.isPresent() && sealRetryAt != null && seal.get().isBefore(sealRetryAt)) {
      seal = Optional.of(sealRetryAt);
    }
    if (seal.isPresent() && seal.get().isBefore(next)) {
      next = seal.get();
    }
    Optional<Instant> unpark = spool.nextUnpark(parkedRetry);
    if (unpark.isPresent() && unpark.get().isBefore(next)) {
      next = unpark.get();
    }
    Optional<Instant> expiry = spool.nextExpiry();
    if (expiry.isPresent() && expiry.get().isBefore(next)) {
      next = expiry.get();
    }
    return next;
  }

  /** Decompresses the whole file, which checks the gzip CRC and length; empty when it is intact. */
  static Optional<String> gzipProblem(Path gz) {
    try (InputStream in =
        GzipCompressorInputStream.builder().setPath(gz).setDecompressConcatenated(true).get()) {
      byte[] buf = new byte[256 * 1024];
      int last = '\n';
      int n;
      while ((n = in.read(buf)) > 0) {
        last = buf[n - 1];
      }
      return last == '\n' ? Optional.empty() : Optional.of("content does not end with a newline");
    } catch (IOException e) {
      return Optional.of(e.toString());
    }
  }
}
