package io.vminfo.agent.internal;

import io.vminfo.agent.AgentConfig;
import java.time.Duration;
import java.util.Optional;

/** The settings a running server reads per connection or request, swapped whole on reload. */
public record RuntimeSettings(
    Duration idleTimeout,
    Duration requestTimeout,
    Optional<Duration> defaultHeartbeat,
    int maxSubscribers) {

  public static RuntimeSettings of(AgentConfig c) {
    return new RuntimeSettings(
        c.httpIdleTimeout(),
        c.httpRequestTimeout(),
        c.feedDefaultHeartbeat(),
        c.feedMaxSubscribers());
  }
}
