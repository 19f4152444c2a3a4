package io.vminfo.agent;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A config key a {@link StoreProvider} adds: its dotted name ({@code storage.s3.bucket} is {@code
 * {"storage":{"s3":{"bucket":...}}}} in the file, {@code VMINFO_STORAGE_S3_BUCKET} in the
 * environment, {@code --storage.s3.bucket} as a flag), its type, default, bounds (numbers,
 * durations in ms, sizes in bytes), an optional second environment variable read below the {@code
 * VMINFO_*} one (e.g. {@code MANTA_URL}), and a one-line description. Provider keys need a restart
 * to change.
 */
public record ConfigKey(
    String key,
    Type type,
    Optional<String> defaultValue,
    long min,
    long max,
    Optional<String> envAlias,
    String help) {
  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
  private static final Pattern ENV = Pattern.compile("[A-Z][A-Z0-9_]*");

  /** Value types, parsed as the agent's own keys are. */
  public enum Type {
    /** Non-empty text without control characters. */
    TEXT,
    INT,
    /** true/false, yes/no, 1/0, on/off. */
    BOOL,
    /** {@code 30s}, {@code 5m}, {@code 1h}. */
    DURATION,
    /** {@code 1048576}, {@code 32MiB}. */
    BYTES,
    /** Made absolute and normalised. */
    PATH
  }

  public ConfigKey {
    Objects.requireNonNull(key, "key");
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("not a config key: \"" + key + "\"");
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultValue, "defaultValue");
    if (min > max) {
      throw new IllegalArgumentException(key + ": min " + min + " > max " + max);
    }
    Objects.requireNonNull(envAlias, "envAlias");
    envAlias.ifPresent(
        e -> {
          if (!ENV.matcher(e).matches()) {
            throw new IllegalArgumentException(key + ": not an environment variable name: " + e);
          }
        });
    Objects.requireNonNull(help, "help");
  }

  /** An optional key without a default. */
  public static ConfigKey optional(String key, Type type, String help) {
    return new ConfigKey(
        key, type, Optional.empty(), Long.MIN_VALUE, Long.MAX_VALUE, Optional.empty(), help);
  }

  /** A key with a default. */
  public static ConfigKey withDefault(String key, Type type, String defaultValue, String help) {
    return new ConfigKey(
        key,
        type,
        Optional.of(defaultValue),
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        Optional.empty(),
        help);
  }

  /** This key, bounded to {@code min .. max}. */
  public ConfigKey bounded(long min, long max) {
    return new ConfigKey(key, type, defaultValue, min, max, envAlias, help);
  }

  /** This key, also read from the environment variable {@code name} (below {@code VMINFO_*}). */
  public ConfigKey alsoFromEnv(String name) {
    return new ConfigKey(key, type, defaultValue, min, max, Optional.of(name), help);
  }
}
