package io.vminfo.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.Change;
import io.vminfo.core.DiffOptions;
import io.vminfo.core.PathSegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * diff.js, reimplemented. Objects: keys of a in order (removed / changed / recursed), then keys only
 * in b (added). Two arrays: set semantics over each element's canonical JSON. Arrays and objects
 * against each other are compared as objects (arrays by index keys), as diff.js does.
 */
public final class DiffEngine {
  private final DiffOptions options;
  private final List<Change> out = new ArrayList<>();

  private DiffEngine(DiffOptions options) {
    this.options = options;
  }

  public static List<Change> diff(JsonNode a, JsonNode b, DiffOptions options) {
    DiffEngine engine = new DiffEngine(options);
    if (a.isContainerNode() && b.isContainerNode()) {
      engine.containers(a, b, new ArrayList<>(), Optional.empty(), true);
    } else if (!equalValues(a, b)) {
      // diff.js throws here ("a (object) is required"); a whole-document change is well defined.
      engine.out.add(Change.changed(List.of(), a, b, Optional.empty()));
    }
    return List.copyOf(engine.out);
  }

  private void containers(
      JsonNode a, JsonNode b, List<PathSegment> path, Optional<JsonNode> ident, boolean topLevel) {
    if (a.isArray() && b.isArray()) {
      arrays(a, b, path, ident, Optional.empty());
      return;
    }
    int before = out.size();
    objects(a, b, path, ident, topLevel);
    if (out.size() == before && a.isArray() != b.isArray()) {
      // diff.js compares an array against an object by index keys, so {} -> [] reports nothing
      // although the documents differ; a plain change keeps subscribers in step with the store.
      out.add(Change.changed(List.copyOf(path), a, b, ident));
    }
  }

  private void objects(
      JsonNode a, JsonNode b, List<PathSegment> path, Optional<JsonNode> ident, boolean topLevel) {
    Map<String, JsonNode> aFields = fields(a);
    Map<String, JsonNode> bFields = fields(b);
    for (Map.Entry<String, JsonNode> e : aFields.entrySet()) {
      String key = e.getKey();
      JsonNode av = e.getValue();
      JsonNode bv = bFields.get(key);
      List<PathSegment> childPath = append(path, PathSegment.key(key));
      if (bv == null) {
        out.add(Change.removed(childPath, av, ident));
      } else if (av.isContainerNode() && bv.isContainerNode()) {
        if (topLevel && av.isArray() && bv.isArray()) {
          arrays(av, bv, childPath, ident, options.identityFieldOf(key));
        } else {
          containers(av, bv, childPath, ident, false);
        }
      } else if (!equalValues(av, bv)) {
        // Includes null against an object, where diff.js throws: a plain change instead.
        out.add(Change.changed(childPath, av, bv, ident));
      }
    }
    for (Map.Entry<String, JsonNode> e : bFields.entrySet()) {
      if (!aFields.containsKey(e.getKey())) {
        out.add(Change.added(append(path, PathSegment.key(e.getKey())), e.getValue(), ident));
      }
    }
  }

  private void arrays(
      JsonNode a,
      JsonNode b,
      List<PathSegment> path,
      Optional<JsonNode> ident,
      Optional<String> identityField) {
    Map<String, JsonNode> aByJson = byCanonical(a);
    Map<String, JsonNode> bByJson = byCanonical(b);
    List<JsonNode> removed = new ArrayList<>();
    List<JsonNode> added = new ArrayList<>();
    aByJson.forEach((json, node) -> {
      if (!bByJson.containsKey(json)) {
        removed.add(node);
      }
    });
    bByJson.forEach((json, node) -> {
      if (!aByJson.containsKey(json)) {
        added.add(node);
      }
    });
    List<PathSegment> elementPath = append(path, PathSegment.ANY_ELEMENT);

    if (identityField.isPresent() && allObjects(removed) && allObjects(added)) {
      matchByIdentity(removed, added, elementPath, identityField.get());
      return;
    }
    // No identity (or diff.js would throw on a non-object element): plain set difference.
    for (JsonNode r : removed) {
      out.add(Change.removed(elementPath, r, ident));
    }
    for (JsonNode n : added) {
      out.add(Change.added(elementPath, n, ident));
    }
  }

  private void matchByIdentity(
      List<JsonNode> removed, List<JsonNode> added, List<PathSegment> elementPath, String field) {
    // The first removed element with a given identity is the one a new element pairs with; later
    // duplicates stay plain removals (diff.js's behaviour on duplicate identifiers).
    Map<String, JsonNode> firstRemovedById = new LinkedHashMap<>();
    for (JsonNode r : removed) {
      JsonNode id = r.get(field);
      if (id != null) {
        firstRemovedById.putIfAbsent(CanonicalJson.of(id), r);
      }
    }
    Map<JsonNode, JsonNode> pairs = new java.util.IdentityHashMap<>();
    Set<JsonNode> pairedAdded = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (JsonNode n : added) {
      JsonNode id = n.get(field);
      if (id == null) {
        continue;
      }
      JsonNode match = firstRemovedById.get(CanonicalJson.of(id));
      if (match != null && !pairs.containsKey(match)) {
        pairs.put(match, n);
        pairedAdded.add(n);
      }
    }
    for (JsonNode r : removed) {
      if (!pairs.containsKey(r)) {
        out.add(Change.removed(elementPath, r, Optional.empty()));
      }
    }
    for (JsonNode r : removed) {
      JsonNode n = pairs.get(r);
      if (n != null) {
        containers(r, n, elementPath, Optional.of(r.get(field)), false);
      }
    }
    for (JsonNode n : added) {
      if (!pairedAdded.contains(n)) {
        out.add(Change.added(elementPath, n, Optional.empty()));
      }
    }
  }

  /** Distinct elements by canonical JSON, first occurrence kept, in order. */
  private static Map<String, JsonNode> byCanonical(JsonNode array) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (JsonNode element : array) {
      out.putIfAbsent(CanonicalJson.of(element), element);
    }
    return out;
  }

  private static boolean allObjects(List<JsonNode> nodes) {
    for (JsonNode n : nodes) {
      if (!n.isObject()) {
        return false;
      }
    }
    return true;
  }

  /** Fields of an object, or an array as an object with index keys ("0", "1", ...). */
  private static Map<String, JsonNode> fields(JsonNode node) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        out.put(Integer.toString(i), node.get(i));
      }
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static boolean equalValues(JsonNode a, JsonNode b) {
    if (a.isContainerNode() || b.isContainerNode()) {
      return a.isContainerNode() && b.isContainerNode() && CanonicalJson.of(a).equals(CanonicalJson.of(b));
    }
    return CanonicalJson.primitivesEqual(a, b);
  }

  private static List<PathSegment> append(List<PathSegment> path, PathSegment seg) {
    List<PathSegment> out = new ArrayList<>(path.size() + 1);
    out.addAll(path);
    out.add(seg);
    return out;
  }
}
