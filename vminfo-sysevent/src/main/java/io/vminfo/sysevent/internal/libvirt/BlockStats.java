package io.vminfo.sysevent.internal.libvirt;

import io.vminfo.sysevent.internal.libvirt.TypedParameters.TypedParameter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code block.*} group of libvirt's domain statistics ({@code VIR_DOMAIN_STATS_BLOCK}) as
 * per-disk counters: {@code block.<n>.name} (the target device, {@code vda}), {@code
 * block.<n>.path}, {@code block.<n>.rd.reqs}, {@code rd.bytes}, {@code wr.reqs}, {@code wr.bytes}.
 * These are QEMU's own block statistics, as {@code virsh domblkstat} shows them.
 */
public final class BlockStats {
  private BlockStats() {}

  /** One disk's counters; {@code path} is its source when it has one. */
  public record Disk(
      Optional<String> path,
      long readRequests,
      long readBytes,
      long writeRequests,
      long writeBytes) {
    public Disk {
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * Disks by target device, in libvirt's order. A disk without all four counters (an inactive
   * domain, an empty CD-ROM drive QEMU keeps no statistics for) or with a value that is not a count
   * is left out, never filled in. A name seen again is a backing-chain image (listed after its disk
   * when asked for with {@code VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING}), not another disk; the
   * first entry is the disk. ({@code backingIndex} does not tell: libvirt 9.0 gives it to the top
   * image too.)
   */
  public static Map<String, Disk> parse(List<TypedParameter> params) {
    Map<Integer, Map<String, Object>> byIndex = new TreeMap<>();
    for (TypedParameter p : params) {
      String f = p.field();
      if (!f.startsWith("block.")) {
        continue;
      }
      int dot = f.indexOf('.', "block.".length());
      if (dot < 0) {
        continue; // block.count
      }
      int index;
      try {
        index = Integer.parseInt(f.substring("block.".length(), dot));
      } catch (NumberFormatException e) {
        continue;
      }
      if (index < 0) {
        continue;
      }
      byIndex.computeIfAbsent(index, i -> new HashMap<>()).put(f.substring(dot + 1), p.value());
    }
    Map<String, Disk> out = new LinkedHashMap<>();
    for (Map<String, Object> d : byIndex.values()) {
      if (!(d.get("name") instanceof String name) || name.isEmpty() || out.containsKey(name)) {
        continue;
      }
      Optional<Long> rdReqs = count(d.get("rd.reqs"));
      Optional<Long> rdBytes = count(d.get("rd.bytes"));
      Optional<Long> wrReqs = count(d.get("wr.reqs"));
      Optional<Long> wrBytes = count(d.get("wr.bytes"));
      if (rdReqs.isEmpty() || rdBytes.isEmpty() || wrReqs.isEmpty() || wrBytes.isEmpty()) {
        continue;
      }
      Optional<String> path =
          d.get("path") instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
      out.put(name, new Disk(path, rdReqs.get(), rdBytes.get(), wrReqs.get(), wrBytes.get()));
    }
    return out;
  }

  private static Optional<Long> count(Object value) {
    return value instanceof Long n && n >= 0 ? Optional.of(n) : Optional.empty();
  }
}
