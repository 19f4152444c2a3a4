package io.vminfo.usage.internal;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** The one timestamp format of usage files: ISO-8601 UTC with exactly three fraction digits. */
public final class IsoTime {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

  private IsoTime() {}

  /** Formats with millisecond precision (finer digits are truncated). */
  public static String format(Instant t) {
    return FORMAT.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  /** Parses any ISO-8601 instant; empty when the text is not one. */
  public static Optional<Instant> parse(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
