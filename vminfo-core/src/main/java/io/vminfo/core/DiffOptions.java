package io.vminfo.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of the diff: which top-level array keys hold elements with an identity field, so that a
 * removed and an added element with the same identity are reported as a modification.
 */
public record DiffOptions(Map<String, String> identityKeys) {
  /** The identity keys vminfod uses for VM objects: disks by path, nics by mac. */
  public static final DiffOptions VM = new DiffOptions(Map.of("disks", "path", "nics", "mac"));

  /** Plain set semantics for every array. */
  public static final DiffOptions NONE = new DiffOptions(Map.of());

  public DiffOptions {
    Objects.requireNonNull(identityKeys, "identityKeys");
    identityKeys.forEach(
        (k, v) -> {
          if (k.isEmpty() || v.isEmpty()) {
            throw new IllegalArgumentException("identity keys and fields must be non-empty");
          }
        });
    identityKeys = Map.copyOf(identityKeys);
  }

  /** The identity field of the top-level array under {@code key}, if it has one. */
  public Optional<String> identityFieldOf(String key) {
    return Optional.ofNullable(identityKeys.get(key));
  }
}
