package io.vminfo.core.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * vminfod's {@code objSameValues(a, b)} (smartos-live vminfod/client.js): every key of the pattern
 * {@code a} is in {@code b} with the same value, recursively. Kept quirks, because tools written
 * against vminfod rely on them:
 *
 * <ul>
 *   <li>an array of strings compares as its elements joined with {@code ","} (so order matters, and
 *       {@code ["a","b"]} equals the string {@code "a,b"});
 *   <li>any other array in the pattern is matched by index, as a subset;
 *   <li>primitives compare strictly ({@code 10} equals {@code 10.0}; {@code null} matches only an
 *       explicit {@code null}, never a missing key).
 * </ul>
 */
public final class JsonSubset {
  private JsonSubset() {}

  /** Whether {@code value} contains everything {@code pattern} says. Both must be containers. */
  public static boolean matches(JsonNode pattern, JsonNode value) {
    if (pattern == null
        || !pattern.isContainerNode()
        || value == null
        || !value.isContainerNode()) {
      return false;
    }
    if (pattern.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = pattern.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (!valueMatches(f.getValue(), member(value, f.getKey()))) {
          return false;
        }
      }
      return true;
    }
    for (int i = 0; i < pattern.size(); i++) {
      if (!valueMatches(pattern.get(i), member(value, Integer.toString(i)))) {
        return false;
      }
    }
    return true;
  }

  private static boolean valueMatches(JsonNode want, JsonNode have) {
    Object a = joinedIfStringArray(want);
    Object b = joinedIfStringArray(have);
    if (a instanceof JsonNode an && an.isContainerNode()) {
      return b instanceof JsonNode bn && matches(an, bn);
    }
    return strictEquals(a, b);
  }

  /** JS {@code ===} on primitives: missing is undefined, which equals nothing but itself. */
  private static boolean strictEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof String sa) {
      return b instanceof String sb
          ? sa.equals(sb)
          : b instanceof JsonNode bn && bn.isTextual() && bn.textValue().equals(sa);
    }
    if (b instanceof String sb) {
      return ((JsonNode) a).isTextual() && ((JsonNode) a).textValue().equals(sb);
    }
    JsonNode x = (JsonNode) a;
    JsonNode y = (JsonNode) b;
    if (x.isNumber() && y.isNumber()) {
      return x.decimalValue().compareTo(y.decimalValue()) == 0;
    }
    if (x.isContainerNode() || y.isContainerNode()) {
      return false; // distinct JS objects are never ===
    }
    return x.getNodeType() == y.getNodeType() && x.equals(y);
  }

  private static Object joinedIfStringArray(JsonNode node) {
    if (node == null || !node.isArray()) {
      return node;
    }
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      if (!e.isTextual()) {
        return node;
      }
      if (i > 0) {
        joined.append(',');
      }
      joined.append(e.textValue());
    }
    return joined.toString();
  }

  private static JsonNode member(JsonNode container, String key) {
    if (container.isObject()) {
      return container.get(key);
    }
    try {
      int i = Integer.parseInt(key);
      return i >= 0 ? container.get(i) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
