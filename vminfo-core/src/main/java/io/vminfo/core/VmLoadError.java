package io.vminfo.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A VM (or host file) that could not be loaded. {@code key} names what failed (a zonename, a domain
 * name, or a file) and is how a later successful load clears it; {@code uuid} and {@code zonename},
 * when known, let a reconciliation keep that VM's last good state instead of deleting it.
 */
public record VmLoadError(
    String key, Optional<String> uuid, Optional<String> zonename, String message, Instant at) {
  public VmLoadError {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("error key must be non-empty");
    }
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(zonename, "zonename");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(at, "at");
  }

  public static VmLoadError of(String key, String message, Instant at) {
    return new VmLoadError(key, Optional.empty(), Optional.empty(), message, at);
  }

  /** Whether this error is about {@code vm} (by uuid or zonename), so the VM should be kept. */
  public boolean concerns(Vm vm) {
    return uuid.filter(vm.uuid()::equals).isPresent()
        || zonename.filter(z -> vm.zonename().filter(z::equals).isPresent()).isPresent()
        || vm.zonename().filter(key::equals).isPresent()
        || key.equals(vm.uuid());
  }
}
