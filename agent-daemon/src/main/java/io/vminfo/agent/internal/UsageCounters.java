package io.vminfo.agent.internal;

/** What the usage recorder reports to metrics; all zero until it is wired in. */
public record UsageCounters(
    long recordsWritten,
    long uploadsSucceeded,
    long uploadsFailed,
    long spoolBytes,
    long droppedBytes) {
  public static final UsageCounters NONE = new UsageCounters(0, 0, 0, 0, 0);
}
