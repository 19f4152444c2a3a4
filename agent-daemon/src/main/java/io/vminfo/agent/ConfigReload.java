package io.vminfo.agent;

import java.util.List;

/**
 * What {@link Agent#reload} did with a new configuration: the changed keys it applied at once, and
 * the changed keys that only take effect after a restart.
 */
public record ConfigReload(List<String> applied, List<String> needRestart) {
  public ConfigReload {
    applied = List.copyOf(applied);
    needRestart = List.copyOf(needRestart);
  }

  public boolean changedAnything() {
    return !applied.isEmpty() || !needRestart.isEmpty();
  }
}
