package io.vminfo.core.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * The identity of a JSON value the way diff.js compares array elements ({@code JSON.stringify}):
 * object keys in document order, numbers by value ({@code 1} and {@code 1.0} are the same).
 *
 * <p>Only equality of these strings matters, never their exact text, so any injective encoding with
 * those two properties gives diff.js's results.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  public static String of(JsonNode node) {
    StringBuilder out = new StringBuilder(64);
    append(out, node);
    return out.toString();
  }

  /** JavaScript {@code ===} for two non-container values. */
  public static boolean primitivesEqual(JsonNode a, JsonNode b) {
    JsonNodeType type = a.getNodeType();
    switch (type) {
      case STRING:
        return b.isTextual() && a.textValue().equals(b.textValue());
      case NUMBER:
        if (!b.isNumber()) {
          return false;
        }
        if (a.isIntegralNumber() && b.isIntegralNumber()) {
          if (a.isBigInteger() || b.isBigInteger()) {
            return a.bigIntegerValue().equals(b.bigIntegerValue());
          }
          return a.longValue() == b.longValue();
        }
        return a.doubleValue() == b.doubleValue();
      case BOOLEAN:
        return b.isBoolean() && a.booleanValue() == b.booleanValue();
      case NULL:
        return b.isNull();
      default:
        return type == b.getNodeType() && a.equals(b);
    }
  }

  private static void append(StringBuilder out, JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        out.append('{');
        boolean first = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!first) {
            out.append(',');
          }
          first = false;
          quote(out, e.getKey());
          out.append(':');
          append(out, e.getValue());
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          append(out, node.get(i));
        }
        out.append(']');
      }
      case STRING -> quote(out, node.textValue());
      case NUMBER -> out.append(number(node));
      case BOOLEAN -> out.append(node.booleanValue());
      default -> out.append("null");
    }
  }

  private static String number(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    double d = node.doubleValue();
    if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e21) {
      return new BigDecimal(d).toBigInteger().toString();
    }
    return Double.toString(d);
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, out);
    out.append('"');
  }
}
