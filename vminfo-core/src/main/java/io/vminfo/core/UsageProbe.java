package io.vminfo.core;

import java.io.IOException;

/**
 * Reads a VM's resource counters from the host (implemented by each backend, used by the usage
 * recorder). Counters are cumulative; each carries the time it started counting from, which changes
 * when the counter resets (guest restart, NIC re-created) so consumers compute deltas safely. A
 * value the host does not have is left empty, never invented.
 */
@FunctionalInterface
public interface UsageProbe {
  /**
   * Samples one VM. Parts that fail are left out of the result and named in {@link
   * VmUsage#problems()}; throwing means nothing could be read for this VM.
   */
  VmUsage sample(Vm vm) throws IOException;

  /** A probe that knows nothing (every part empty). */
  UsageProbe NONE = vm -> VmUsage.EMPTY;
}
