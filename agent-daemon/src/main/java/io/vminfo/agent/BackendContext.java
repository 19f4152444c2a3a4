package io.vminfo.agent;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a {@link BackendFactory} gets: the configuration, the host root the backend reads under, and
 * the agent's (resolved, writable) state directory, e.g. for a copy of the example host.
 */
public record BackendContext(AgentConfig config, Path hostRoot, Path stateDir) {
  public BackendContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(hostRoot, "hostRoot");
    Objects.requireNonNull(stateDir, "stateDir");
  }
}
