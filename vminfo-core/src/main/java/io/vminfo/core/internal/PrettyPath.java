package io.vminfo.core.internal;

import io.vminfo.core.PathSegment;
import java.util.List;

/**
 * diff.js's human-readable path: segments joined with {@code .}, array positions as {@code *}, and
 * a key containing {@code .}, {@code [} or {@code ]} written as {@code [key]} with brackets
 * escaped.
 */
public final class PrettyPath {
  private PrettyPath() {}

  public static String of(List<PathSegment> path) {
    StringBuilder out = new StringBuilder();
    for (PathSegment seg : path) {
      if (seg.isAnyElement()) {
        appendPlain(out, "*");
        continue;
      }
      String key = seg.name().orElseThrow();
      if (key.indexOf('.') >= 0 || key.indexOf('[') >= 0 || key.indexOf(']') >= 0) {
        out.append('[').append(key.replace("[", "\\[").replace("]", "\\]")).append(']');
      } else {
        appendPlain(out, key);
      }
    }
    return out.toString();
  }

  private static void appendPlain(StringBuilder out, String text) {
    if (out.length() > 0) {
      out.append('.');
    }
    out.append(text);
  }
}
