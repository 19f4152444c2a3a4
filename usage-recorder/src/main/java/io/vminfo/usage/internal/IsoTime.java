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
    long seconds = t.getEpochSecond();
    if (seconds < 0 || seconds >= MAX_FAST_SECONDS) {
      return FORMAT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }
    // Hand-rolled: a sample of 10,000 VMs formats some 40,000 timestamps.
    java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(seconds, 0, java.time.ZoneOffset.UTC);
    char[] c = new char[24];
    digits(c, 0, d.getYear(), 4);
    c[4] = '-';
    digits(c, 5, d.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, d.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, d.getHour(), 2);
    c[13] = ':';
    digits(c, 14, d.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, d.getSecond(), 2);
    c[19] = '.';
    digits(c, 20, t.getNano() / 1_000_000, 3);
    c[23] = 'Z';
    return new String(c);
  }

  /** 10000-01-01T00:00:00Z: past it years have five digits. */
  private static final long MAX_FAST_SECONDS = 253_402_300_800L;

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
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
