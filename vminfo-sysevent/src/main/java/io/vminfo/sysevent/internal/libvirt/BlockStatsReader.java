package io.vminfo.sysevent.internal.libvirt;

import java.io.IOException;
import java.util.Map;

/** Reads a running domain's per-disk block counters (by domain UUID). */
public interface BlockStatsReader {
  /** Disks by target device; empty when the domain has none with counters. */
  Map<String, BlockStats.Disk> read(String uuid) throws IOException;

  /** Where the counters come from, for logs. */
  String transport();
}
