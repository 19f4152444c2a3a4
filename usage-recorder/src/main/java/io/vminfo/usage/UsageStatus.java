package io.vminfo.usage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of the usage recorder for the agent's {@code /status} and metrics. Counters are totals
 * since the service started; spool figures are as of the snapshot.
 *
 * @param running whether the service is started and not stopped
 * @param lastSample timestamp of the newest sample taken
 * @param samplesWritten samples that reached the spool (fsynced)
 * @param recordsWritten usage records in those samples (summaries not counted)
 * @param samplesWaiting samples held in memory because the spool could not be written
 * @param filesPending hourly files not yet uploaded (open, sealed, uploading or parked)
 * @param bytesPending their size on disk
 * @param oldestPendingHour the UTC hour of the oldest of them
 * @param spoolBytes everything the spool holds (pending, retained copies, set-aside files)
 * @param spoolCapBytes the cap past which data is dropped, oldest first
 * @param lastUpload when the last upload was confirmed
 * @param uploadsSucceeded confirmed uploads
 * @param uploadsFailed failed upload attempts (transient and permanent)
 * @param nextUploadAttempt when uploads resume, while backing off after a transient failure
 * @param lastError the most recent problem of any part
 * @param droppedBytes bytes of un-uploaded data thrown away (spool cap, write backlog)
 * @param droppedFiles spool files thrown away
 * @param droppedSamples samples never written (write backlog full, or larger than the cap)
 * @param intervalsSkipped sampling intervals not caught up after a long stall (see maxCatchUp)
 * @param clockBehindUntil present while the clock is behind the newest sample on disk (it was
 *     stepped back, or a restart found samples from "the future"): nothing is sampled until the
 *     clock passes this instant, so no {@code (uuid, timestamp)} is written twice
 * @param probeFailures VM samples whose probe threw or timed out (recorded without usage)
 * @param parked uploads set aside after a permanent failure (retried after the parked-retry delay
 *     or at the next start)
 * @param setAside files moved to {@code corrupt/} in the spool
 */
public record UsageStatus(
    boolean running,
    Optional<Instant> lastSample,
    long samplesWritten,
    long recordsWritten,
    int samplesWaiting,
    int filesPending,
    long bytesPending,
    Optional<Instant> oldestPendingHour,
    long spoolBytes,
    long spoolCapBytes,
    Optional<Instant> lastUpload,
    long uploadsSucceeded,
    long uploadsFailed,
    Optional<Instant> nextUploadAttempt,
    Optional<Problem> lastError,
    long droppedBytes,
    long droppedFiles,
    long droppedSamples,
    long intervalsSkipped,
    Optional<Instant> clockBehindUntil,
    long probeFailures,
    List<ParkedUpload> parked,
    List<SetAsideFile> setAside) {

  public UsageStatus {
    Objects.requireNonNull(lastSample, "lastSample");
    Objects.requireNonNull(oldestPendingHour, "oldestPendingHour");
    Objects.requireNonNull(lastUpload, "lastUpload");
    Objects.requireNonNull(nextUploadAttempt, "nextUploadAttempt");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(clockBehindUntil, "clockBehindUntil");
    parked = List.copyOf(parked);
    setAside = List.copyOf(setAside);
  }

  /**
   * A problem: which part ({@code write}, {@code seal}, {@code upload}, {@code ledger}, ...), when,
   * what.
   */
  public record Problem(Instant at, String component, String message) {
    public Problem {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(message, "message");
    }
  }

  /** A sealed file whose upload failed permanently. {@code file} is relative to the spool. */
  public record ParkedUpload(String file, String remotePath, Instant since, String reason) {
    public ParkedUpload {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(remotePath, "remotePath");
      Objects.requireNonNull(since, "since");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** A file under {@code corrupt/} in the spool, kept for an operator to look at. */
  public record SetAsideFile(String file, long bytes, Instant at, String reason) {
    public SetAsideFile {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
