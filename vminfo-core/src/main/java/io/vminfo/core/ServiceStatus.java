package io.vminfo.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A point-in-time view of a {@link VmInfoService}, for {@code /status}. */
public record ServiceStatus(
    String backend,
    boolean ready,
    int queueDepth,
    List<String> pending,
    Optional<RunningTask> running,
    Optional<Instant> lastRefresh,
    Optional<Duration> lastRefreshDuration,
    long refreshes,
    long tasksCompleted,
    long tasksFailed,
    long tasksAbandoned,
    long tasksCoalesced,
    List<VmLoadError> vmErrors,
    List<TaskFailure> recentFailures,
    VmStore.Stats store,
    List<SubscriberInfo> subscribers) {

  public ServiceStatus {
    Objects.requireNonNull(backend, "backend");
    pending = List.copyOf(pending);
    Objects.requireNonNull(running, "running");
    Objects.requireNonNull(lastRefresh, "lastRefresh");
    Objects.requireNonNull(lastRefreshDuration, "lastRefreshDuration");
    vmErrors = List.copyOf(vmErrors);
    recentFailures = List.copyOf(recentFailures);
    Objects.requireNonNull(store, "store");
    subscribers = List.copyOf(subscribers);
  }

  /** The task the queue is working on. */
  public record RunningTask(String key, Instant since) {
    public RunningTask {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(since, "since");
    }
  }

  /** A reload that threw or was abandoned after its timeout. */
  public record TaskFailure(String key, String message, Instant at, boolean abandoned) {
    public TaskFailure {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(at, "at");
    }
  }
}
