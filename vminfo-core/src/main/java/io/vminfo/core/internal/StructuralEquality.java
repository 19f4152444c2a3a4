package io.vminfo.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Iterator;
import java.util.Map;

/**
 * Equality of two JSON trees exactly as their canonical JSON strings would compare (object keys in
 * document order, numbers by value), without building the strings.
 */
public final class StructuralEquality {
  private StructuralEquality() {}

  public static boolean equal(JsonNode a, JsonNode b) {
    if (a == b) {
      return true;
    }
    JsonNodeType type = a.getNodeType();
    if (type == JsonNodeType.STRING) {
      return b.isTextual() && a.textValue().equals(b.textValue());
    }
    if (type == JsonNodeType.OBJECT) {
      if (!b.isObject() || a.size() != b.size()) {
        return false;
      }
      Iterator<Map.Entry<String, JsonNode>> ia = a.properties().iterator();
      Iterator<Map.Entry<String, JsonNode>> ib = b.properties().iterator();
      while (ia.hasNext()) {
        Map.Entry<String, JsonNode> ea = ia.next();
        Map.Entry<String, JsonNode> eb = ib.next();
        if (!ea.getKey().equals(eb.getKey()) || !equal(ea.getValue(), eb.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (type == JsonNodeType.ARRAY) {
      if (!b.isArray() || a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!equal(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (b.isContainerNode()) {
      return false;
    }
    return CanonicalJson.primitivesEqual(a, b);
  }
}
