package io.vminfo.alarms;

/** Counters for /status and metrics. */
public record AlarmStatus(
    int openAlarms,
    int suppressions,
    int pendingNotices,
    long delivered,
    long failedAttempts,
    long suppressedOpens) {}
