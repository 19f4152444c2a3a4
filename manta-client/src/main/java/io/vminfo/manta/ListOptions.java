package io.vminfo.manta;

import java.util.Objects;
import java.util.Optional;

/**
 * Options of a directory listing.
 *
 * @param limit entries per page, 1..1024 (Manta's bounds)
 * @param marker start at this name (inclusive, as Manta); for {@code byMtime} an ISO-8601 time
 * @param byMtime newest first instead of by name
 * @param reverse reverse the order
 */
public record ListOptions(int limit, Optional<String> marker, boolean byMtime, boolean reverse) {
  public static final int MAX_LIMIT = 1024;
  private static final ListOptions DEFAULTS =
      new ListOptions(MAX_LIMIT, Optional.empty(), false, false);

  public ListOptions {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1..1024: " + limit);
    }
    Objects.requireNonNull(marker, "marker");
  }

  public static ListOptions defaults() {
    return DEFAULTS;
  }

  public ListOptions withLimit(int n) {
    return new ListOptions(n, marker, byMtime, reverse);
  }

  public ListOptions withMarker(String m) {
    return new ListOptions(limit, Optional.of(m), byMtime, reverse);
  }

  public ListOptions sortedByMtime() {
    return new ListOptions(limit, marker, true, reverse);
  }

  public ListOptions reversed() {
    return new ListOptions(limit, marker, byMtime, !reverse);
  }
}
