package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.Json;
import java.time.Duration;
import java.util.Optional;

/** Stands in until the usage recorder is part of the agent: reports itself as not configured. */
public final class NoUsageRecorder implements UsageRecorderPort {
  public static final String MESSAGE = "usage recorder not configured";

  @Override
  public void start() {}

  @Override
  public ObjectNode status() {
    ObjectNode o = Json.NODES.objectNode();
    o.put("state", "not_configured");
    o.put("message", MESSAGE);
    return o;
  }

  @Override
  public Optional<byte[]> latestSamplesJson() {
    return Optional.empty();
  }

  @Override
  public UsageCounters counters() {
    return UsageCounters.NONE;
  }

  @Override
  public void flush(Duration budget) {}

  @Override
  public void close() {}
}
