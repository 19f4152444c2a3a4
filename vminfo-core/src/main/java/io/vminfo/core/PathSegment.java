package io.vminfo.core;

import java.util.Objects;
import java.util.Optional;

/**
 * One step of a change path: an object key, or "some element of an array" (diff.js writes that as
 * {@code null} in {@code path} and {@code *} in {@code prettyPath}).
 */
public final class PathSegment {
  /** Any element of an array. */
  public static final PathSegment ANY_ELEMENT = new PathSegment(null);

  private final String key;

  private PathSegment(String key) {
    this.key = key;
  }

  public static PathSegment key(String key) {
    return new PathSegment(Objects.requireNonNull(key, "key"));
  }

  /** The object key; empty for {@link #ANY_ELEMENT}. */
  public Optional<String> name() {
    return Optional.ofNullable(key);
  }

  public boolean isAnyElement() {
    return key == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathSegment other && Objects.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(key);
  }

  @Override
  public String toString() {
    return key == null ? "*" : key;
  }
}
