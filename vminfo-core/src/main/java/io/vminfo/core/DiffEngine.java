package io.vminfo.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.internal.CanonicalJson;
import io.vminfo.core.internal.JavaScriptKeyOrder;
import io.vminfo.core.internal.StructuralEquality;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * diff.js, reimplemented. Objects: keys of a in order (removed / changed / recursed), then keys
 * only in b (added). Two arrays: set semantics over each element's canonical JSON. Arrays and
 * objects against each other are compared as objects (arrays by index keys), as diff.js does.
 *
 * <p>Equal subtrees are skipped with an allocation-free structural comparison; small arrays are
 * matched pairwise with it instead of building canonical strings. Paths are built only for changes.
 */
final class DiffEngine {
  /** Above this many elements per side, arrays are matched through canonical strings (O(n)). */
  private static final int PAIRWISE_LIMIT = 32;

  private final DiffOptions options;
  private final boolean copyValues;
  private final List<Change> out = new ArrayList<>();

  private DiffEngine(DiffOptions options, boolean copyValues) {
    this.options = options;
    this.copyValues = copyValues;
  }

  /**
   * The changes from a to b. {@code copyValues} must be true unless both trees are never mutated
   * (those of {@link Vm}), in which case changes share their value nodes.
   */
  static List<Change> diff(JsonNode a, JsonNode b, DiffOptions options, boolean copyValues) {
    DiffEngine engine = new DiffEngine(options, copyValues);
    if (a.isContainerNode() && b.isContainerNode()) {
      if (!StructuralEquality.equal(a, b)) {
        engine.containers(a, b, Path.ROOT, null, true);
      }
    } else if (!engine.valuesEqual(a, b)) {
      // diff.js throws here ("a (object) is required"); a whole-document change is well defined.
      engine.out.add(engine.changed(List.of(), a, b, Optional.empty()));
    }
    return List.copyOf(engine.out);
  }

  private void containers(JsonNode a, JsonNode b, Path path, JsonNode ident, boolean topLevel) {
    if (a.isArray() && b.isArray()) {
      arrays(a, b, path, ident, null);
      return;
    }
    int before = out.size();
    if (a.isObject() && b.isObject()) {
      objects(a, b, path, ident, topLevel);
    } else {
      mixed(a, b, path, ident);
    }
    if (out.size() == before && a.isArray() != b.isArray()) {
      // diff.js compares an array against an object by index keys, so {} -> [] reports nothing
      // although the documents differ; a plain change keeps subscribers in step with the store.
      out.add(changed(path.toList(), a, b, optional(ident)));
    }
  }

  private void objects(JsonNode a, JsonNode b, Path path, JsonNode ident, boolean topLevel) {
    for (String key : JavaScriptKeyOrder.keys(a)) {
      field(key, a.get(key), b.get(key), path, ident, topLevel);
    }
    for (String key : JavaScriptKeyOrder.keys(b)) {
      if (!a.has(key)) {
        out.add(added(path.child(key).toList(), b.get(key), optional(ident)));
      }
    }
  }

  /** An array against an object: both as objects, arrays keyed by index ("0", "1", ...). */
  private void mixed(JsonNode a, JsonNode b, Path path, JsonNode ident) {
    Map<String, JsonNode> aFields = indexFields(a);
    Map<String, JsonNode> bFields = indexFields(b);
    for (Map.Entry<String, JsonNode> e : aFields.entrySet()) {
      field(e.getKey(), e.getValue(), bFields.get(e.getKey()), path, ident, false);
    }
    for (Map.Entry<String, JsonNode> e : bFields.entrySet()) {
      if (!aFields.containsKey(e.getKey())) {
        out.add(added(path.child(e.getKey()).toList(), e.getValue(), optional(ident)));
      }
    }
  }

  private void field(
      String key, JsonNode av, JsonNode bv, Path path, JsonNode ident, boolean topLevel) {
    if (bv == null) {
      out.add(removed(path.child(key).toList(), av, optional(ident)));
    } else if (av.isContainerNode() && bv.isContainerNode()) {
      if (StructuralEquality.equal(av, bv)) {
        return;
      }
      if (topLevel && av.isArray() && bv.isArray()) {
        arrays(av, bv, path.child(key), ident, options.identityFieldOf(key).orElse(null));
      } else {
        containers(av, bv, path.child(key), ident, false);
      }
    } else if (!valuesEqual(av, bv)) {
      // Includes null against an object, where diff.js throws: a plain change instead.
      out.add(changed(path.child(key).toList(), av, bv, optional(ident)));
    }
  }

  private void arrays(JsonNode a, JsonNode b, Path path, JsonNode ident, String identityField) {
    List<JsonNode> removed = new ArrayList<>();
    List<JsonNode> added = new ArrayList<>();
    if (a.size() <= PAIRWISE_LIMIT && b.size() <= PAIRWISE_LIMIT) {
      onlyInFirst(a, b, removed);
      onlyInFirst(b, a, added);
    } else {
      absentFrom(a, canonicalSet(b), removed);
      absentFrom(b, canonicalSet(a), added);
    }
    Path elementPath = path.child(null);
    if (identityField != null) {
      matchByIdentity(removed, added, elementPath, identityField);
      return;
    }
    for (JsonNode r : removed) {
      out.add(removed(elementPath.toList(), r, optional(ident)));
    }
    for (JsonNode n : added) {
      out.add(added(elementPath.toList(), n, optional(ident)));
    }
  }

  /**
   * Elements of {@code first} that {@code second} lacks, each copy of a duplicate on its own:
   * diff.js reports {@code [1,1] -> []} as two removals.
   */
  private static void onlyInFirst(JsonNode first, JsonNode second, List<JsonNode> into) {
    outer:
    for (JsonNode e : first) {
      for (JsonNode other : second) {
        if (StructuralEquality.equal(e, other)) {
          continue outer;
        }
      }
      into.add(e);
    }
  }

  /**
   * diff.js's pairing: each removed element, in order, pairs with the first added element not yet
   * paired whose identity is {@code ===} to its own. So duplicate identities pair one to one, an
   * identity absent on both sides pairs (undefined === undefined), and one that is an object or an
   * array never pairs. Elements that are not objects take no part: diff.js throws on a removed one
   * and may pair an added one with an element lacking the identity (then throws or compares it by
   * index keys); here they are plain removals and additions and the others still pair.
   */
  private void matchByIdentity(
      List<JsonNode> removed, List<JsonNode> added, Path elementPath, String field) {
    JsonNode[] partner = new JsonNode[removed.size()];
    boolean[] addedPaired = new boolean[added.size()];
    for (int r = 0; r < removed.size(); r++) {
      JsonNode old = removed.get(r);
      if (!old.isObject()) {
        continue;
      }
      for (int n = 0; n < added.size(); n++) {
        JsonNode candidate = added.get(n);
        if (!addedPaired[n]
            && candidate.isObject()
            && strictlyEqual(old.get(field), candidate.get(field))) {
          partner[r] = candidate;
          addedPaired[n] = true;
          break;
        }
      }
    }
    for (int r = 0; r < removed.size(); r++) {
      if (partner[r] == null) {
        out.add(removed(elementPath.toList(), removed.get(r), Optional.empty()));
      }
    }
    for (int r = 0; r < removed.size(); r++) {
      if (partner[r] != null) {
        containers(removed.get(r), partner[r], elementPath, removed.get(r).get(field), false);
      }
    }
    for (int n = 0; n < added.size(); n++) {
      if (!addedPaired[n]) {
        out.add(added(elementPath.toList(), added.get(n), Optional.empty()));
      }
    }
  }

  /** JavaScript's {@code ===} on two parsed JSON values; {@code null} is an absent field. */
  private static boolean strictlyEqual(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    if (a.isContainerNode() || b.isContainerNode()) {
      return false;
    }
    return CanonicalJson.primitivesEqual(a, b);
  }

  private static Set<String> canonicalSet(JsonNode array) {
    Set<String> out = new HashSet<>();
    for (JsonNode element : array) {
      out.add(CanonicalJson.of(element));
    }
    return out;
  }

  /** The large-array form of {@link #onlyInFirst}: same elements, same order, per copy. */
  private static void absentFrom(JsonNode first, Set<String> second, List<JsonNode> into) {
    for (JsonNode element : first) {
      if (!second.contains(CanonicalJson.of(element))) {
        into.add(element);
      }
    }
  }

  private static Map<String, JsonNode> indexFields(JsonNode node) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        out.put(Integer.toString(i), node.get(i));
      }
    } else {
      node.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
    }
    return out;
  }

  private boolean valuesEqual(JsonNode a, JsonNode b) {
    if (a.isContainerNode() || b.isContainerNode()) {
      return a.isContainerNode() && b.isContainerNode() && StructuralEquality.equal(a, b);
    }
    return CanonicalJson.primitivesEqual(a, b);
  }

  private Change added(List<PathSegment> path, JsonNode value, Optional<JsonNode> ident) {
    return Change.make(path, ChangeAction.ADDED, null, value, ident.orElse(null), copyValues);
  }

  private Change removed(List<PathSegment> path, JsonNode value, Optional<JsonNode> ident) {
    return Change.make(path, ChangeAction.REMOVED, value, null, ident.orElse(null), copyValues);
  }

  private Change changed(List<PathSegment> path, JsonNode a, JsonNode b, Optional<JsonNode> ident) {
    return Change.make(path, ChangeAction.CHANGED, a, b, ident.orElse(null), copyValues);
  }

  private static Optional<JsonNode> optional(JsonNode ident) {
    return Optional.ofNullable(ident);
  }

  /** A path as a parent chain, turned into a list only when a change is reported. */
  private static final class Path {
    static final Path ROOT = new Path(null, null, 0);

    private final Path parent;
    private final String key;
    private final int depth;

    private Path(Path parent, String key, int depth) {
      this.parent = parent;
      this.key = key;
      this.depth = depth;
    }

    /** A child; {@code null} key means "any element of an array". */
    Path child(String key) {
      return new Path(this, key, depth + 1);
    }

    List<PathSegment> toList() {
      PathSegment[] segs = new PathSegment[depth];
      Path p = this;
      for (int i = depth - 1; i >= 0; i--) {
        segs[i] = p.key == null ? PathSegment.ANY_ELEMENT : PathSegment.key(p.key);
        p = p.parent;
      }
      return List.of(segs);
    }
  }
}
