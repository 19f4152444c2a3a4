package io.vminfo.cli.internal.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Writes JSON exactly as JavaScript's {@code JSON.stringify} does, compact or with two-space
 * indentation ({@code JSON.stringify(x, null, 2)}), because that is what vminfod's tools print and
 * what people diff our output against: {@code "key": value} separators, {@code []} and {@code {}}
 * for empty containers, integral numbers without {@code .0}, only {@code "}, {@code \} and control
 * characters escaped (lower-case {@code \u001b}), everything else as UTF-8.
 */
public final class JsonText {
  private JsonText() {}

  /** One line, no spaces ({@code JSON.stringify(x)}). */
  public static String compact(JsonNode node) {
    StringBuilder sb = new StringBuilder(64);
    write(sb, node, -1, 0);
    return sb.toString();
  }

  /** Indented by two spaces per level ({@code JSON.stringify(x, null, 2)}), no final newline. */
  public static String pretty(JsonNode node) {
    StringBuilder sb = new StringBuilder(256);
    write(sb, node, 2, 0);
    return sb.toString();
  }

  /** A string as a JSON string literal, quotes included. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quote(sb, s);
    return sb.toString();
  }

  private static void write(StringBuilder sb, JsonNode node, int indent, int depth) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      sb.append("null");
    } else if (node.isTextual()) {
      quote(sb, node.textValue());
    } else if (node.isBoolean()) {
      sb.append(node.booleanValue());
    } else if (node.isNumber()) {
      sb.append(number(node));
    } else if (node.isArray()) {
      if (node.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      boolean first = true;
      for (JsonNode element : node) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent, depth + 1);
        write(sb, element, indent, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append(']');
    } else if (node.isObject()) {
      if (node.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent, depth + 1);
        quote(sb, e.getKey());
        sb.append(indent < 0 ? ":" : ": ");
        write(sb, e.getValue(), indent, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append('}');
    } else {
      // Binary or POJO nodes never come from parsed JSON; print their JSON text form.
      quote(sb, node.asText());
    }
  }

  private static void newline(StringBuilder sb, int indent, int depth) {
    if (indent < 0) {
      return;
    }
    sb.append('\n');
    sb.append(" ".repeat(indent * depth));
  }

  /** A number as JavaScript prints it: integers plain, fractions shortest, exponents as 1e+21. */
  static String number(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    BigDecimal d;
    if (node.isBigDecimal()) {
      d = node.decimalValue();
    } else {
      double v = node.doubleValue();
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        return "null"; // what JSON.stringify makes of them
      }
      d = new BigDecimal(Double.toString(v));
    }
    if (d.signum() == 0) {
      return "0";
    }
    d = d.stripTrailingZeros();
    BigDecimal abs = d.abs();
    if (abs.compareTo(new BigDecimal("1e21")) < 0 && abs.compareTo(new BigDecimal("1e-6")) >= 0) {
      return d.toPlainString();
    }
    // Exponent form, as JavaScript: 1e+21, 1.5e-7.
    String digits = d.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - d.scale();
    StringBuilder sb = new StringBuilder();
    if (d.signum() < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exponent >= 0 ? "+" : "-").append(Math.abs(exponent));
    return sb.toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
              sb.append(c).append(s.charAt(++i));
            } else {
              unicodeEscape(sb, c); // a lone surrogate cannot be written as UTF-8
            }
          } else if (Character.isLowSurrogate(c)) {
            unicodeEscape(sb, c);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u");
    String hex = Integer.toHexString(c);
    sb.append("0".repeat(4 - hex.length())).append(hex);
  }
}
