package io.vminfo.agent;

import io.vminfo.core.GuestAction;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One guest action as the agent runs it: queued behind the VM's earlier actions, running, then
 * {@link JobState#COMPLETE} once the VM store shows the result or {@link JobState#ERROR} with what
 * went wrong. {@code vmState} is the VM's state seen when the job ended.
 */
public record Job(
    String id,
    String vmUuid,
    GuestAction action,
    String requester,
    JobState state,
    Instant createdAt,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    Optional<String> message,
    Optional<String> vmState) {

  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vmUuid, "vmUuid");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(vmState, "vmState");
    if (id.isEmpty() || requester.isEmpty()) {
      throw new IllegalArgumentException("a job needs an id and a requester");
    }
    if (state.finished() != finishedAt.isPresent()) {
      throw new IllegalArgumentException("finishedAt is set exactly when the job is finished");
    }
  }

  /** A new job, queued. */
  public static Job queued(
      String id, String vmUuid, GuestAction action, String requester, Instant at) {
    return new Job(
        id,
        vmUuid,
        action,
        requester,
        JobState.QUEUED,
        at,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public Job running(Instant at) {
    return new Job(
        id,
        vmUuid,
        action,
        requester,
        JobState.RUNNING,
        createdAt,
        Optional.of(at),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public Job finished(JobState end, Instant at, Optional<String> why, Optional<String> seen) {
    if (!end.finished()) {
      throw new IllegalArgumentException(end + " is not an end state");
    }
    return new Job(
        id, vmUuid, action, requester, end, createdAt, startedAt, Optional.of(at), why, seen);
  }
}
