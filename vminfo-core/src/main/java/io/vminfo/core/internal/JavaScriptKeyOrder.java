package io.vminfo.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An object's keys in the order JavaScript enumerates them (ECMAScript OrdinaryOwnPropertyKeys):
 * array-index keys ("0", "9", "10", ... up to 2^32 - 2, canonical decimal) first in ascending
 * numeric order, then the other keys in insertion order. diff.js walks {@code Object.keys}, so this
 * is the order of its changes for metadata and tags keys such as "10" and "9".
 */
public final class JavaScriptKeyOrder {
  private static final long MAX_ARRAY_INDEX = 4_294_967_294L; // 2^32 - 2

  private JavaScriptKeyOrder() {}

  public static List<String> keys(JsonNode object) {
    List<String> indices = new ArrayList<>();
    List<String> others = new ArrayList<>(object.size());
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      (isArrayIndex(key) ? indices : others).add(key);
    }
    if (indices.isEmpty()) {
      return others;
    }
    indices.sort((x, y) -> Long.compare(Long.parseLong(x), Long.parseLong(y)));
    indices.addAll(others);
    return indices;
  }

  /** A canonical non-negative integer below 2^32 - 1: no sign, no leading zero, no exponent. */
  public static boolean isArrayIndex(String key) {
    int n = key.length();
    if (n == 0 || n > 10 || (n > 1 && key.charAt(0) == '0')) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return Long.parseLong(key) <= MAX_ARRAY_INDEX;
  }
}
