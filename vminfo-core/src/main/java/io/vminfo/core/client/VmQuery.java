package io.vminfo.core.client;

import java.util.Objects;
import java.util.Optional;

/**
 * Server-side filters for {@code GET /vms}: exact matches on {@code state}, {@code brand} and
 * {@code owner_uuid}; all given filters must match.
 */
public record VmQuery(Optional<String> state, Optional<String> brand, Optional<String> ownerUuid) {
  private static final VmQuery ALL =
      new VmQuery(Optional.empty(), Optional.empty(), Optional.empty());

  public VmQuery {
    requireNonBlank(state, "state");
    requireNonBlank(brand, "brand");
    requireNonBlank(ownerUuid, "ownerUuid");
  }

  /** Every VM. */
  public static VmQuery all() {
    return ALL;
  }

  public VmQuery withState(String state) {
    return new VmQuery(Optional.of(state), brand, ownerUuid);
  }

  public VmQuery withBrand(String brand) {
    return new VmQuery(state, Optional.of(brand), ownerUuid);
  }

  public VmQuery withOwnerUuid(String ownerUuid) {
    return new VmQuery(state, brand, Optional.of(ownerUuid));
  }

  private static void requireNonBlank(Optional<String> value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isPresent() && value.get().isBlank()) {
      throw new IllegalArgumentException(name + " filter must not be blank");
    }
  }
}
