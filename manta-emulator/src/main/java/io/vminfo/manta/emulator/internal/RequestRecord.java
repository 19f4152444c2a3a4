package io.vminfo.manta.emulator.internal;

/** One request the emulator saw, for tests: status 0 means the connection was dropped. */
public record RequestRecord(
    String method, String uri, int status, String requestId, boolean faulted) {}
