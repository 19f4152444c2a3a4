package io.vminfo.fleet;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the publisher has done, for {@code /status} and metrics.
 *
 * @param connected whether the last batch was acknowledged (false after a failed one until the next
 *     succeeds)
 * @param epoch store epoch of the last acknowledged feed position
 * @param lastAckedRev last store revision acknowledged by the broker
 * @param lag store revision minus {@code lastAckedRev}
 * @param feedRecords feed events acknowledged since start
 * @param resyncs full snapshots published since start
 * @param usageRecords usage lines acknowledged since start
 * @param usagePosition the spool file and byte offset after the last acknowledged sample
 * @param usageFilesMissed spool files that were gone before they could be read (a gap, also logged)
 * @param failures failed batches since start
 * @param lastError the last failure, if any
 * @param lastAck when a batch was last acknowledged
 */
public record FleetStatus(
    boolean connected,
    String epoch,
    long lastAckedRev,
    long lag,
    long feedRecords,
    long resyncs,
    long usageRecords,
    String usagePosition,
    long usageFilesMissed,
    long failures,
    Optional<String> lastError,
    Optional<Instant> lastAck) {
  public FleetStatus {
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(usagePosition, "usagePosition");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(lastAck, "lastAck");
  }
}
