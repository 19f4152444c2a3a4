package io.vminfo.cli.internal.vms;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.Cells;
import java.util.Comparator;
import java.util.List;

/**
 * {@code -s alias,-ram}: sort by fields in order, a leading {@code -} sorts that field descending.
 * Numbers compare as numbers, everything else as its printed text; VMs without the field come last.
 */
public record SortKey(Field field, boolean descending) {
  public static List<SortKey> list(String spec) {
    if (spec.isBlank()) {
      throw new IllegalArgumentException("name at least one sort field");
    }
    return java.util.Arrays.stream(spec.split(",", -1))
        .map(String::trim)
        .map(
            s ->
                s.startsWith("-")
                    ? new SortKey(Field.of(s.substring(1)), true)
                    : new SortKey(Field.of(s.startsWith("+") ? s.substring(1) : s), false))
        .toList();
  }

  /** A comparator of VM objects for these keys, in order. */
  public static Comparator<JsonNode> comparator(List<SortKey> keys) {
    Comparator<JsonNode> c = (a, b) -> 0;
    for (SortKey k : keys) {
      c = c.thenComparing(k::compare);
    }
    return c;
  }

  private int compare(JsonNode a, JsonNode b) {
    JsonNode x = field.get(a);
    JsonNode y = field.get(b);
    boolean mx = x.isMissingNode() || x.isNull();
    boolean my = y.isMissingNode() || y.isNull();
    if (mx || my) {
      return mx == my ? 0 : mx ? 1 : -1; // missing last, whatever the direction
    }
    int r;
    if (x.isNumber() && y.isNumber()) {
      r = x.decimalValue().compareTo(y.decimalValue());
    } else {
      r = Cells.of(x).compareTo(Cells.of(y));
    }
    return descending ? -r : r;
  }
}
