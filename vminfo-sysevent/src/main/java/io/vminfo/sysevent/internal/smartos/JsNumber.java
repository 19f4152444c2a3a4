package io.vminfo.sysevent.internal.smartos;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.sysevent.internal.host.JsonFiles;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * JavaScript's {@code Number(text)}, which vmload applies to numeric zone XML values, and the JSON
 * such a number becomes: NaN and the infinities are {@code null} (what {@code JSON.stringify}
 * writes), whole numbers up to 2^53 are integers, others decimals.
 */
final class JsNumber {
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final Pattern RADIX =
      Pattern.compile("0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)");
  private static final double EXACT_LIMIT = 9007199254740992d; // 2^53

  private JsNumber() {}

  /** {@code Number(text)}; NaN when JavaScript gives NaN. */
  static double parse(String text) {
    String s = trim(text);
    if (s.isEmpty()) {
      return 0;
    }
    switch (s) {
      case "Infinity", "+Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (RADIX.matcher(s).matches()) {
      int radix =
          switch (s.charAt(1)) {
            case 'x', 'X' -> 16;
            case 'o', 'O' -> 8;
            default -> 2;
          };
      return new BigInteger(s.substring(2), radix).doubleValue();
    }
    if (DECIMAL.matcher(s).matches()) {
      return Double.parseDouble(s);
    }
    return Double.NaN;
  }

  /** The JSON value of {@code Number(text)}. */
  static JsonNode json(String text) {
    return json(parse(text));
  }

  static JsonNode json(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return JsonFiles.NODES.nullNode();
    }
    if (d == Math.rint(d) && Math.abs(d) <= EXACT_LIMIT) {
      return JsonFiles.number((long) d); // also turns -0 into 0, as JSON.stringify does
    }
    return JsonFiles.NODES.numberNode(d);
  }

  /** Strips what ECMAScript's StringToNumber strips: white space and line terminators. */
  private static String trim(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && isJsSpace(s.charAt(from))) {
      from++;
    }
    while (to > from && isJsSpace(s.charAt(to - 1))) {
      to--;
    }
    return s.substring(from, to);
  }

  private static boolean isJsSpace(char c) {
    return c == '\t'
        || c == '\n'
        || c == 0x0B
        || c == '\f'
        || c == '\r'
        || c == ' '
        || c == 0xA0
        || c == 0xFEFF
        || c == 0x2028
        || c == 0x2029
        || Character.getType(c) == Character.SPACE_SEPARATOR;
  }
}
