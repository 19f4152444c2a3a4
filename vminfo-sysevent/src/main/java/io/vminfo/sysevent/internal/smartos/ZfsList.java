package io.vminfo.sysevent.internal.smartos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Parsed {@code zfs list -Hp -o name,mountpoint,quota,volsize,used,type} output (tab-separated,
 * exact byte values, {@code -} for none).
 */
public record ZfsList(Map<String, Dataset> byName) {
  /** The columns we ask zfs for, in order. */
  public static final String COLUMNS = "name,mountpoint,quota,volsize,used,type";

  public ZfsList {
    byName = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byName));
  }

  /** One dataset or volume. */
  public record Dataset(
      String name,
      Optional<String> mountpoint,
      OptionalLong quota,
      OptionalLong volsize,
      OptionalLong used,
      String type) {}

  public static ZfsList parse(String output) {
    Map<String, Dataset> out = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length < 6) {
        continue;
      }
      out.put(
          f[0],
          new Dataset(
              f[0],
              f[1].equals("-") || f[1].isEmpty() ? Optional.empty() : Optional.of(f[1]),
              num(f[2]),
              num(f[3]),
              num(f[4]),
              f[5]));
    }
    return new ZfsList(out);
  }

  public Optional<Dataset> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Optional<Dataset> byMountpoint(String mountpoint) {
    return byName.values().stream()
        .filter(d -> d.mountpoint().filter(mountpoint::equals).isPresent())
        .findFirst();
  }

  private static OptionalLong num(String s) {
    try {
      return s.equals("-") || s.isEmpty()
          ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
