package io.vminfo.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Change;
import io.vminfo.core.ChangeAction;
import io.vminfo.core.PathSegment;
import io.vminfo.core.client.internal.JsonSubset;
import io.vminfo.core.internal.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One change a watch waits for, with vminfod's semantics: the {@code path} must have the same
 * length as the change's, each segment equal or a wildcard ({@code null} in JSON, {@link
 * PathSegment#ANY_ELEMENT} here); every other key (e.g. {@code action}, {@code oldValue}, {@code
 * newValue}) must be in the change with the same value, as in {@link EventPattern}. Immutable.
 */
public final class ChangePattern {
  private final List<PathSegment> path;
  private final ObjectNode rest;

  private ChangePattern(List<PathSegment> path, ObjectNode rest) {
    this.path = List.copyOf(path);
    this.rest = rest;
  }

  /** A pattern for changes at {@code path}; a {@code null} segment matches any segment. */
  public static ChangePattern at(String... path) {
    List<PathSegment> segs = new ArrayList<>(path.length);
    for (String s : path) {
      segs.add(s == null ? PathSegment.ANY_ELEMENT : PathSegment.key(s));
    }
    return new ChangePattern(segs, Json.NODES.objectNode());
  }

  /** A pattern at {@code path} (with {@link PathSegment#ANY_ELEMENT} as wildcard). */
  public static ChangePattern at(List<PathSegment> path) {
    return new ChangePattern(Objects.requireNonNull(path, "path"), Json.NODES.objectNode());
  }

  /**
   * Parses vminfod's form: {@code {"path":["quota"],"action":"changed","newValue":20}}. The path is
   * required and at least one other key must be given.
   */
  public static ChangePattern of(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("a change pattern must be a JSON object");
    }
    JsonNode p = json.get("path");
    if (p == null || !p.isArray()) {
      throw new IllegalArgumentException("a change pattern needs a \"path\" array");
    }
    List<PathSegment> segs = new ArrayList<>(p.size());
    for (JsonNode s : p) {
      if (s.isNull()) {
        segs.add(PathSegment.ANY_ELEMENT);
      } else if (s.isTextual()) {
        segs.add(PathSegment.key(s.textValue()));
      } else {
        throw new IllegalArgumentException("change pattern path segments are strings or null");
      }
    }
    ObjectNode rest = ((ObjectNode) json).deepCopy();
    rest.remove("path");
    ChangePattern pattern = new ChangePattern(segs, rest);
    pattern.requireCriteria();
    return pattern;
  }

  public ChangePattern action(ChangeAction action) {
    return with("action", Json.NODES.textNode(action.wireName()));
  }

  public ChangePattern oldValue(JsonNode value) {
    return with("oldValue", value);
  }

  public ChangePattern oldValue(String value) {
    return with("oldValue", Json.NODES.textNode(value));
  }

  public ChangePattern oldValue(long value) {
    return with("oldValue", Json.NODES.numberNode(value));
  }

  public ChangePattern newValue(JsonNode value) {
    return with("newValue", value);
  }

  public ChangePattern newValue(String value) {
    return with("newValue", Json.NODES.textNode(value));
  }

  public ChangePattern newValue(long value) {
    return with("newValue", Json.NODES.numberNode(value));
  }

  public ChangePattern newValue(boolean value) {
    return with("newValue", Json.NODES.booleanNode(value));
  }

  /** Requires any other key of the change object (e.g. {@code ident}) to match {@code value}. */
  public ChangePattern with(String key, JsonNode value) {
    Objects.requireNonNull(key, "key");
    if (key.equals("path")) {
      throw new IllegalArgumentException("set the path with ChangePattern.at(...)");
    }
    ObjectNode copy = rest.deepCopy();
    copy.set(key, value == null ? Json.NODES.nullNode() : value.deepCopy());
    return new ChangePattern(path, copy);
  }

  public List<PathSegment> path() {
    return path;
  }

  public boolean matches(Change change) {
    List<PathSegment> actual = change.path();
    if (actual.size() != path.size()) {
      return false;
    }
    for (int i = 0; i < path.size(); i++) {
      PathSegment want = path.get(i);
      if (!want.isAnyElement() && !want.equals(actual.get(i))) {
        return false;
      }
    }
    return JsonSubset.matches(rest, change.toJson());
  }

  /** The wire form ({@code path} first). */
  public ObjectNode toJson() {
    ObjectNode out = Json.NODES.objectNode();
    ArrayNode p = out.putArray("path");
    for (PathSegment s : path) {
      if (s.isAnyElement()) {
        p.addNull();
      } else {
        p.add(s.name().orElseThrow());
      }
    }
    Iterator<Map.Entry<String, JsonNode>> it = rest.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.set(e.getKey(), e.getValue().deepCopy());
    }
    return out;
  }

  /** vminfod refuses a pattern with only a path: it would match every change there. */
  void requireCriteria() {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(
          "change pattern "
              + toJson()
              + " has only \"path\": say what to expect there"
              + " (action, oldValue, newValue, ...)");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChangePattern c && c.path.equals(path) && c.rest.equals(rest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, rest);
  }

  @Override
  public String toString() {
    return Json.string(toJson());
  }
}
