package io.vminfo.core;

import java.time.Duration;

/** Told about every finished queue task, e.g. to feed a latency histogram. Must be quick. */
@FunctionalInterface
public interface ReloadObserver {
  /** How a task ended. */
  enum Outcome {
    APPLIED,
    FAILED,
    ABANDONED
  }

  /** {@code key} is the reload's key, or {@code "reconcile"} for full reloads. */
  void taskFinished(String key, Duration duration, Outcome outcome);

  ReloadObserver NONE = (key, duration, outcome) -> {};
}
