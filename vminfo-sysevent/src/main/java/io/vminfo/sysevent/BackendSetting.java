package io.vminfo.sysevent;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One setting a {@link BackendProvider} reads: its dotted key (the agent's config key, e.g. {@code
 * actions.libvirt_uri}), its default, the allowed values ({@code choices}, empty = any non-empty
 * text) and a one-line description. Values are text; the provider parses them.
 */
public record BackendSetting(
    String key, Optional<String> defaultValue, List<String> choices, String help) {
  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

  public BackendSetting {
    Objects.requireNonNull(key, "key");
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("not a setting key: \"" + key + "\"");
    }
    Objects.requireNonNull(defaultValue, "defaultValue");
    choices = List.copyOf(choices);
    if (defaultValue.isPresent() && !choices.isEmpty() && !choices.contains(defaultValue.get())) {
      throw new IllegalArgumentException(
          key + ": default " + defaultValue.get() + " is not one of " + choices);
    }
    Objects.requireNonNull(help, "help");
  }

  /** Free text with a default. */
  public static BackendSetting text(String key, String defaultValue, String help) {
    return new BackendSetting(key, Optional.of(defaultValue), List.of(), help);
  }

  /** One of {@code choices}, {@code defaultValue} among them. */
  public static BackendSetting choice(
      String key, String defaultValue, List<String> choices, String help) {
    return new BackendSetting(key, Optional.of(defaultValue), choices, help);
  }
}
