package io.vminfo.agent.internal;

/** What the usage recorder reports to metrics: totals since start, and the spool's size now. */
public record UsageCounters(
    long recordsWritten,
    long uploadsSucceeded,
    long uploadsFailed,
    long spoolBytes,
    long droppedBytes,
    long filesSetAside) {
  public static final UsageCounters NONE = new UsageCounters(0, 0, 0, 0, 0, 0);
}
