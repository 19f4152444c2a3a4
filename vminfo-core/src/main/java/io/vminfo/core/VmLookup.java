package io.vminfo.core;

import java.util.List;
import java.util.Optional;

/** A read-only view of the current VMs, given to reloads so partial updates can start from them. */
public interface VmLookup {
  Optional<Vm> get(String uuid);

  Optional<Vm> getByZonename(String zonename);

  List<Vm> list();

  /** The store itself as a lookup. */
  static VmLookup of(VmStore store) {
    return new VmLookup() {
      @Override
      public Optional<Vm> get(String uuid) {
        return store.get(uuid);
      }

      @Override
      public Optional<Vm> getByZonename(String zonename) {
        return store.getByZonename(zonename);
      }

      @Override
      public List<Vm> list() {
        return store.list();
      }
    };
  }
}
