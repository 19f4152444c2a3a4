package io.vminfo.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a partial reload found: VMs to create or update, VMs (by uuid) to delete, new errors, and
 * error keys that loaded fine this time and should be cleared.
 */
public record ReloadResult(
    List<Vm> upserts, List<String> removals, List<VmLoadError> errors, List<String> clearedErrors) {
  public ReloadResult {
    upserts = List.copyOf(upserts);
    removals = List.copyOf(removals);
    errors = List.copyOf(errors);
    clearedErrors = List.copyOf(clearedErrors);
  }

  public static ReloadResult nothing() {
    return new ReloadResult(List.of(), List.of(), List.of(), List.of());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects a result. */
  public static final class Builder {
    private final List<Vm> upserts = new ArrayList<>();
    private final List<String> removals = new ArrayList<>();
    private final List<VmLoadError> errors = new ArrayList<>();
    private final List<String> cleared = new ArrayList<>();

    private Builder() {}

    public Builder upsert(Vm vm) {
      upserts.add(Objects.requireNonNull(vm, "vm"));
      return this;
    }

    public Builder remove(String uuid) {
      removals.add(Objects.requireNonNull(uuid, "uuid"));
      return this;
    }

    public Builder error(VmLoadError error) {
      errors.add(Objects.requireNonNull(error, "error"));
      return this;
    }

    public Builder clearError(String key) {
      cleared.add(Objects.requireNonNull(key, "key"));
      return this;
    }

    public ReloadResult build() {
      return new ReloadResult(upserts, removals, errors, cleared);
    }
  }
}
