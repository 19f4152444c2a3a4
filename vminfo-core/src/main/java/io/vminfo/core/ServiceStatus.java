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
    List<SubscriberInfo> subscribers,
    InitialLoad initialLoad) {

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
    Objects.requireNonNull(initialLoad, "initialLoad");
  }

  /**
   * Where the first full load of the host stands. Until it is {@code COMPLETE} the store may be
   * served with only some VMs (those partial reloads found), and every VM it later finds arrives as
   * a create event.
   *
   * @param since when the first attempt began
   * @param attempts how many attempts have started
   * @param completedAt when an attempt succeeded
   * @param lastError why the last failed attempt failed
   * @param nextAttempt when a failed load is tried again
   */
  public record InitialLoad(
      State state,
      Instant since,
      int attempts,
      Optional<Instant> completedAt,
      Optional<String> lastError,
      Optional<Instant> nextAttempt) {

    public enum State {
      LOADING("loading"),
      FAILED("failed"),
      COMPLETE("complete");

      private final String wireName;

      State(String wireName) {
        this.wireName = wireName;
      }

      public String wireName() {
        return wireName;
      }
    }

    public InitialLoad {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(since, "since");
      Objects.requireNonNull(completedAt, "completedAt");
      Objects.requireNonNull(lastError, "lastError");
      Objects.requireNonNull(nextAttempt, "nextAttempt");
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
      }
      if ((state == State.COMPLETE) != completedAt.isPresent()) {
        throw new IllegalArgumentException("completedAt is set exactly when COMPLETE");
      }
    }

    static InitialLoad loading(Instant since) {
      return new InitialLoad(
          State.LOADING, since, 1, Optional.empty(), Optional.empty(), Optional.empty());
    }

    InitialLoad completed(Instant at) {
      return new InitialLoad(
          State.COMPLETE, since, attempts, Optional.of(at), lastError, Optional.empty());
    }

    InitialLoad failed(String error, Instant next) {
      return new InitialLoad(
          State.FAILED, since, attempts, Optional.empty(), Optional.of(error), Optional.of(next));
    }

    InitialLoad retrying() {
      return new InitialLoad(
          State.LOADING, since, attempts + 1, Optional.empty(), lastError, Optional.empty());
    }
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
