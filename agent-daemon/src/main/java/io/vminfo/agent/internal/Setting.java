package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.ConfigKey;
import io.vminfo.sysevent.BackendSetting;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One configuration key: its dotted name (nested objects in the JSON file), type, default, bounds,
 * whether a running agent can apply a new value without a restart, a one-line description, and a
 * second environment variable read below {@code VMINFO_*} (Manta's {@code MANTA_URL}). The agent's
 * own keys are in {@link ConfigSchema}; providers' keys are made with {@link #of}.
 */
public record Setting(
    String key,
    Kind kind,
    Optional<String> defaultValue,
    boolean reloadable,
    List<String> choices,
    long min,
    long max,
    String help,
    Optional<String> envAlias) {

  /** Value types. */
  public enum Kind {
    STRING,
    INT,
    BOOL,
    DURATION,
    BYTES,
    PATH,
    CHOICE,
    /** An ISO-8601 instant such as {@code 2026-01-01T00:00:00Z}. */
    INSTANT
  }

  public Setting {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(defaultValue, "defaultValue");
    choices = List.copyOf(choices);
    Objects.requireNonNull(help, "help");
    Objects.requireNonNull(envAlias, "envAlias");
  }

  /** A store provider's key; it needs a restart to change, as a store is made once. */
  public static Setting of(ConfigKey k) {
    Kind kind =
        switch (k.type()) {
          case TEXT -> Kind.STRING;
          case INT -> Kind.INT;
          case BOOL -> Kind.BOOL;
          case DURATION -> Kind.DURATION;
          case BYTES -> Kind.BYTES;
          case PATH -> Kind.PATH;
        };
    Setting s =
        new Setting(
            k.key(),
            kind,
            k.defaultValue(),
            false,
            List.of(),
            k.min(),
            k.max(),
            k.help(),
            k.envAlias());
    k.defaultValue().ifPresent(s::parse); // a bad default fails at start, naming the key
    return s;
  }

  /** A backend provider's key: text, or one of its choices; needs a restart to change. */
  public static Setting of(BackendSetting b) {
    return new Setting(
        b.key(),
        b.choices().isEmpty() ? Kind.STRING : Kind.CHOICE,
        b.defaultValue(),
        false,
        b.choices(),
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        b.help(),
        Optional.empty());
  }

  /** {@code VMINFO_} + the key in upper case with {@code .} as {@code _}. */
  public String envName() {
    return "VMINFO_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** {@code --key} with {@code _} written as {@code -}. */
  public String flagName() {
    return "--" + key.replace('_', '-');
  }

  /** Parses a value given as text (env var, flag, or a string in the file). */
  public Object parse(String text) {
    String t = text.strip();
    return switch (kind) {
      case STRING -> {
        if (t.isEmpty()) {
          throw new IllegalArgumentException("must not be empty");
        }
        if (t.chars().anyMatch(c -> c < 0x20)) {
          throw new IllegalArgumentException("must not contain control characters");
        }
        yield t;
      }
      case INT -> {
        long v;
        try {
          v = Long.parseLong(t);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("\"" + text + "\" is not an integer");
        }
        yield (int) bounded(v, Long.toString(v));
      }
      case BOOL ->
          switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> Boolean.TRUE;
            case "false", "no", "0", "off" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("\"" + text + "\" is not true or false");
          };
      case DURATION -> {
        Duration d = Units.duration(t);
        bounded(d.toMillis(), Units.format(d));
        yield d;
      }
      case BYTES -> bounded(Units.bytes(t), t);
      case PATH -> {
        if (t.isEmpty() || t.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("\"" + text + "\" is not a path");
        }
        try {
          yield Path.of(t).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
          throw new IllegalArgumentException("\"" + text + "\" is not a path: " + e.getReason());
        }
      }
      case INSTANT -> {
        try {
          yield java.time.Instant.parse(t);
        } catch (java.time.format.DateTimeParseException e) {
          throw new IllegalArgumentException(
              "\"" + text + "\" is not an ISO-8601 instant" + " (e.g. 2026-01-01T00:00:00Z)");
        }
      }
      case CHOICE -> {
        String v = t.toLowerCase(Locale.ROOT);
        if (!choices.contains(v)) {
          throw new IllegalArgumentException(
              "\"" + text + "\" is not one of " + String.join(", ", choices));
        }
        yield v;
      }
    };
  }

  /** Parses a value from the JSON file, checking its JSON type first. */
  public Object parse(JsonNode json) {
    switch (kind) {
      case INT, BYTES -> {
        if (json.isIntegralNumber()) {
          return parse(json.asText());
        }
        if (kind == Kind.BYTES && json.isTextual()) {
          return parse(json.textValue());
        }
        throw new IllegalArgumentException(
            "must be "
                + (kind == Kind.INT ? "an integer" : "a size (number or \"32MiB\")")
                + ", got "
                + json);
      }
      case BOOL -> {
        if (!json.isBoolean()) {
          throw new IllegalArgumentException("must be true or false, got " + json);
        }
        return json.booleanValue();
      }
      default -> {
        if (!json.isTextual()) {
          throw new IllegalArgumentException(
              "must be a string"
                  + (kind == Kind.DURATION ? " like \"30s\"" : "")
                  + ", got "
                  + json);
        }
        return parse(json.textValue());
      }
    }
  }

  /** The value as it would be written in the config file. */
  public String format(Object value) {
    return switch (kind) {
      case DURATION -> Units.format((Duration) value);
      case BYTES -> Units.formatBytes((Long) value);
      default -> value.toString();
    };
  }

  private long bounded(long v, String shown) {
    if (v < min || v > max) {
      String unitMin =
          kind == Kind.DURATION
              ? Units.format(Duration.ofMillis(min))
              : kind == Kind.BYTES ? Units.formatBytes(min) : Long.toString(min);
      String unitMax =
          kind == Kind.DURATION
              ? Units.format(Duration.ofMillis(max))
              : kind == Kind.BYTES ? Units.formatBytes(max) : Long.toString(max);
      throw new IllegalArgumentException(
          shown + " is out of range (" + unitMin + " .. " + unitMax + ")");
    }
    return v;
  }
}
