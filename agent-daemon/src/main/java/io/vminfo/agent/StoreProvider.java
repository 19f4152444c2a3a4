package io.vminfo.agent;

import java.util.List;

/**
 * Where the agent's sealed usage files go (SPI), found with {@link java.util.ServiceLoader}: the
 * config key {@code storage.target} names one. {@code local} (a directory) and {@code manta} ship
 * with the agent. A new target (say S3) is one class implementing this (public, with a public
 * no-argument constructor) plus its name in {@code
 * META-INF/services/io.vminfo.agent.StoreProvider}; its keys ({@link #settings()}) become config
 * keys like the agent's own (file, {@code VMINFO_*} env, flags, {@code --help}).
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface StoreProvider {
  /** The {@code storage.target} value that selects it: lower case letters, digits, - and _. */
  String name();

  /** Its config keys, by convention {@code storage.<name>.*}; none by default. */
  default List<ConfigKey> settings() {
    return List.of();
  }

  /**
   * Checks, when this store is the target, rules across its keys (e.g. what must be set), at load
   * time so a bad config is refused before the agent starts.
   *
   * @throws IllegalArgumentException with a message for the operator naming the keys
   */
  default void validate(ConfigValues config) {}

  /**
   * The store sealed files are uploaded to. Settings it refuses are an {@link
   * IllegalArgumentException} naming the key. It must not reach the network here: a store that
   * cannot connect yet must not keep the agent from serving VMs (use {@link StoreTarget#onStart()}
   * or connect on first use).
   */
  StoreTarget create(StoreContext context);
}
