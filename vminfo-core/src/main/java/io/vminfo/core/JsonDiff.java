package io.vminfo.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * The diff engine: the changes between two JSON documents with exactly the semantics of
 * smartos-live's diff.js (DESIGN section 3).
 *
 * <p>Where diff.js throws (null against an object, two different primitives at the top, a
 * non-object inside an identity-keyed array), this returns well-defined changes instead: a plain
 * {@code changed}, or {@code removed}/{@code added} without identity matching.
 */
public final class JsonDiff {
  private JsonDiff() {}

  public static List<Change> diff(JsonNode a, JsonNode b, DiffOptions options) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(options, "options");
    return DiffEngine.diff(a, b, options, true);
  }

  /** The changes from VM {@code a} to VM {@code b}, disks matched by path and nics by mac. */
  public static List<Change> diff(Vm a, Vm b) {
    if (a.equals(b)) {
      return List.of();
    }
    return DiffEngine.diff(a.tree(), b.tree(), DiffOptions.VM, false);
  }
}
