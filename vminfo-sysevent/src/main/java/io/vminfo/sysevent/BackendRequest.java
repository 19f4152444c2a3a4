package io.vminfo.sysevent;

import io.vminfo.core.text.Uuids;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link BackendProvider} gets to make its objects: the host root it reads under, a writable
 * state directory of the caller (the example host copies its tree there), the server uuid to use
 * when the host cannot tell its own, whether guest actions will be served, and the values of the
 * provider's {@link BackendProvider#settings() settings} by key (missing ones take their defaults,
 * see {@link #setting}).
 */
public record BackendRequest(
    Path hostRoot,
    Path stateDir,
    String fallbackServerUuid,
    boolean actionsEnabled,
    Map<String, String> settings) {
  public BackendRequest {
    Objects.requireNonNull(hostRoot, "hostRoot");
    Objects.requireNonNull(stateDir, "stateDir");
    Uuids.requireUuid(fallbackServerUuid, "fallbackServerUuid");
    settings = Map.copyOf(settings);
  }

  /** A request with every setting at its default and no guest actions (e.g. for inspecting). */
  public static BackendRequest of(Path hostRoot, Path stateDir, String fallbackServerUuid) {
    return new BackendRequest(hostRoot, stateDir, fallbackServerUuid, false, Map.of());
  }

  /**
   * The value of {@code setting}: the one given, else its default.
   *
   * @throws IllegalArgumentException when neither exists (a setting without a default not given)
   */
  public String setting(BackendSetting setting) {
    String v = settings.get(setting.key());
    if (v != null) {
      return v;
    }
    return setting
        .defaultValue()
        .orElseThrow(() -> new IllegalArgumentException(setting.key() + " is not set"));
  }
}
