package io.vminfo.cli.internal.output;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JSON values as table cells and text, like vmadm: {@code -} for missing or null, strings as they
 * are but with control characters escaped (a hostile alias cannot break the table or drive the
 * terminal), numbers as JavaScript prints them, objects and arrays as compact JSON.
 */
public final class Cells {
  public static final String MISSING = "-";

  private Cells() {}

  public static String of(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return MISSING;
    }
    if (v.isTextual()) {
      return escape(v.textValue());
    }
    if (v.isNumber()) {
      return JsonText.number(v);
    }
    if (v.isBoolean()) {
      return Boolean.toString(v.booleanValue());
    }
    return JsonText.compact(v);
  }

  /** Control characters (and DEL, C1 controls) as {@code \n}, {@code \t} or {@code \u001b}. */
  public static String escape(String s) {
    int i = 0;
    while (i < s.length() && !needsEscape(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 8).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!needsEscape(c)) {
        sb.append(c);
        continue;
      }
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
  }
}
