package io.vminfo.sysevent.internal.smartos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

/**
 * Parsed {@code kstat -p} output: {@code module:instance:name:statistic<TAB>value} per line.
 * Statistics are grouped by {@code module:instance:name}.
 */
public record KstatOutput(Map<String, Map<String, String>> byKstat) {
  public KstatOutput {
    byKstat = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byKstat));
  }

  public static KstatOutput parse(String output) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab < 0) {
        continue;
      }
      String key = line.substring(0, tab);
      int lastColon = key.lastIndexOf(':');
      if (lastColon < 0) {
        continue;
      }
      out.computeIfAbsent(key.substring(0, lastColon), k -> new LinkedHashMap<>())
          .put(key.substring(lastColon + 1), line.substring(tab + 1).strip());
    }
    return new KstatOutput(out);
  }

  /** Every kstat of {@code module}: (instance:name, statistics). */
  public void forModule(String module, BiConsumer<String, Map<String, String>> each) {
    String prefix = module + ":";
    byKstat.forEach(
        (k, stats) -> {
          if (k.startsWith(prefix)) {
            each.accept(k.substring(prefix.length()), stats);
          }
        });
  }

  public Optional<String> value(String kstat, String statistic) {
    Map<String, String> stats = byKstat.get(kstat);
    return stats == null ? Optional.empty() : Optional.ofNullable(stats.get(statistic));
  }

  public static OptionalLong integer(Map<String, String> stats, String statistic) {
    String v = stats.get(statistic);
    if (v == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v));
    } catch (NumberFormatException e) {
      try {
        return OptionalLong.of((long) Double.parseDouble(v));
      } catch (NumberFormatException e2) {
        return OptionalLong.empty();
      }
    }
  }
}
