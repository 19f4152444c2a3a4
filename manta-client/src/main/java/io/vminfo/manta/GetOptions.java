package io.vminfo.manta;

import java.util.OptionalLong;

/**
 * Options of a GET: an optional byte range (inclusive, as HTTP). Without a range the MD5 of the
 * received bytes is checked against the object's.
 */
public record GetOptions(OptionalLong rangeStart, OptionalLong rangeEnd) {
  private static final GetOptions DEFAULTS =
      new GetOptions(OptionalLong.empty(), OptionalLong.empty());

  public GetOptions {
    if (rangeStart.isEmpty() && rangeEnd.isPresent()) {
      throw new IllegalArgumentException(
          "a range end needs a start (use suffix(n) for the last n bytes)");
    }
    if (rangeStart.isPresent() && rangeStart.getAsLong() < 0) {
      throw new IllegalArgumentException("range start must be >= 0");
    }
    if (rangeEnd.isPresent() && rangeEnd.getAsLong() < rangeStart.getAsLong()) {
      throw new IllegalArgumentException("range end before start");
    }
  }

  public static GetOptions defaults() {
    return DEFAULTS;
  }

  /** Bytes {@code first..last}, inclusive. */
  public static GetOptions range(long first, long last) {
    return new GetOptions(OptionalLong.of(first), OptionalLong.of(last));
  }

  /** From {@code first} to the end. */
  public static GetOptions from(long first) {
    return new GetOptions(OptionalLong.of(first), OptionalLong.empty());
  }

  public boolean isRange() {
    return rangeStart.isPresent();
  }

  String rangeHeader() {
    return "bytes="
        + rangeStart.getAsLong()
        + "-"
        + (rangeEnd.isPresent() ? rangeEnd.getAsLong() : "");
  }
}
