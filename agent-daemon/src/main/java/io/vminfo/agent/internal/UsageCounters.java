package io.vminfo.agent.internal;

/** What the usage recorder reports to metrics: totals since start, and the spool's size now. */
public record UsageCounters(
    long recordsWritten,
    long uploadsSucceeded,
    long uploadsFailed,
    long spoolBytes,
    long droppedBytes,
    long filesSetAside,
    long intervalsSkipped,
    boolean clockBehind) {
  public static final UsageCounters NONE = new UsageCounters(0, 0, 0, 0, 0, 0, 0, false);

  /** The counters without the sampler's figures (tests, recorders that do not sample). */
  public UsageCounters(
      long recordsWritten,
      long uploadsSucceeded,
      long uploadsFailed,
      long spoolBytes,
      long droppedBytes,
      long filesSetAside) {
    this(
        recordsWritten,
        uploadsSucceeded,
        uploadsFailed,
        spoolBytes,
        droppedBytes,
        filesSetAside,
        0,
        false);
  }
}
