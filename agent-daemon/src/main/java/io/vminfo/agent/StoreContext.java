package io.vminfo.agent;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link StoreProvider} gets: the configuration (its own keys through {@link
 * AgentConfig#get}), the agent's local archive directory ({@code storage.local.dir}, default {@code
 * <state_dir>/archive}), the process environment (e.g. {@code SSH_AUTH_SOCK}) and the agent's
 * {@code User-Agent}.
 */
public record StoreContext(
    AgentConfig config, Path archiveDir, Map<String, String> env, String userAgent) {
  public StoreContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(archiveDir, "archiveDir");
    env = Map.copyOf(env);
    Objects.requireNonNull(userAgent, "userAgent");
  }
}
