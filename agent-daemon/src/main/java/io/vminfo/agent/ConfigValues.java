package io.vminfo.agent;

import java.util.Optional;

/** Read access to configuration values by key, for providers ({@link StoreProvider#validate}). */
public interface ConfigValues {
  /**
   * The value of {@code key} as its type: {@link String} for text and choices, {@link Integer},
   * {@link Long} for sizes, {@link Boolean}, {@link java.time.Duration}, {@link
   * java.nio.file.Path}, {@link java.time.Instant}; empty when an optional key is not set.
   *
   * @throws IllegalArgumentException for an unknown key or a type the key does not have
   */
  <T> Optional<T> get(String key, Class<T> type);

  /**
   * Where the value of {@code key} came from ({@code default}, {@code file ...}, {@code env ...}).
   */
  String source(String key);
}
