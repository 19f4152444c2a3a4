package io.vminfo.cli.internal.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A table as vmadm prints one: upper-case headers, columns left-aligned and two spaces apart, the
 * last column unpadded, never truncated (also not on a terminal: nothing depends on the width).
 * {@link Style#PARSABLE} is vmadm's {@code -p}: no header, values joined by {@code :} with {@code
 * \} and {@code :} escaped by a backslash.
 */
public final class Table {
  /** How rows are laid out. */
  public enum Style {
    ALIGNED,
    PARSABLE
  }

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(List<String> headers) {
    if (headers.isEmpty()) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.headers = List.copyOf(headers);
  }

  public void add(List<String> row) {
    Objects.requireNonNull(row, "row");
    if (row.size() != headers.size()) {
      throw new IllegalArgumentException(
          "row has " + row.size() + " cells for " + headers.size() + " columns");
    }
    rows.add(List.copyOf(row));
  }

  public int size() {
    return rows.size();
  }

  /** The lines to print, without line terminators. */
  public List<String> render(Style style, boolean header) {
    List<String> out = new ArrayList<>(rows.size() + 1);
    if (style == Style.PARSABLE) {
      for (List<String> row : rows) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
          if (i > 0) {
            sb.append(':');
          }
          sb.append(row.get(i).replace("\\", "\\\\").replace(":", "\\:"));
        }
        out.add(sb.toString());
      }
      return out;
    }
    int[] widths = new int[headers.size()];
    if (header) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = width(headers.get(i));
      }
    }
    for (List<String> row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], width(row.get(i)));
      }
    }
    if (header) {
      out.add(line(headers, widths));
    }
    for (List<String> row : rows) {
      out.add(line(row, widths));
    }
    return out;
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      sb.append(c);
      if (i < cells.size() - 1) {
        sb.append(" ".repeat(widths[i] - width(c) + 2));
      }
    }
    return sb.toString();
  }

  private static int width(String s) {
    return s.codePointCount(0, s.length());
  }
}
