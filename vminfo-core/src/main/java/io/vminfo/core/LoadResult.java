package io.vminfo.core;

import java.util.List;

/** A full load: every VM that loaded, and what failed (one bad VM never hides the others). */
public record LoadResult(List<Vm> vms, List<VmLoadError> errors) {
  public LoadResult {
    vms = List.copyOf(vms);
    errors = List.copyOf(errors);
  }
}
