package io.vminfo.core;

import java.time.Instant;
import java.util.Objects;

/** A feed subscriber as shown in status. */
public record SubscriberInfo(
    String id,
    String description,
    Instant createdAt,
    SubscribeRequest request,
    int queuedEvents,
    long queuedBytes,
    long deliveredEvents) {
  public SubscriberInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(request, "request");
  }
}
