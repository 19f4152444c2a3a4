package io.vminfo.manta.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Parses HTTP dates in the three forms RFC 9110 5.6.7 makes recipients accept: IMF-fixdate ({@code
 * Sun, 06 Nov 1994 08:49:37 GMT}), obsolete RFC 850 ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and
 * asctime ({@code Sun Nov 6 08:49:37 1994}). Hand-written rather than java.time patterns: every PUT
 * and HEAD answer carries a Last-Modified, and java.time's RFC 1123 parser showed up in small-PUT
 * profiles.
 */
public final class HttpDates {
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] LONG_DAYS = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
  };
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private HttpDates() {}

  /** The instant {@code value} names, or empty when it is none of the three forms. */
  public static Optional<Instant> parse(String value) {
    return parse(value, Instant.now().atZone(ZoneOffset.UTC).getYear());
  }

  /**
   * Like {@link #parse(String)}; {@code currentYear} resolves RFC 850's two-digit years (RFC 9110:
   * a year more than 50 years ahead is the most recent past year with those digits).
   */
  public static Optional<Instant> parse(String value, int currentYear) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      int comma = v.indexOf(',');
      if (comma == 3 && v.length() == 29) {
        return imf(v);
      }
      if (comma > 3) {
        return rfc850(v, comma, currentYear);
      }
      if (comma < 0 && v.length() == 24) {
        return asctime(v);
      }
    } catch (DateTimeException | IndexOutOfBoundsException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  // Sun, 06 Nov 1994 08:49:37 GMT
  private static Optional<Instant> imf(String v) {
    if (index(DAYS, v.substring(0, 3)) < 0
        || v.charAt(4) != ' '
        || v.charAt(7) != ' '
        || v.charAt(11) != ' '
        || v.charAt(16) != ' '
        || !v.endsWith(" GMT")) {
      return Optional.empty();
    }
    int day = digits(v, 5, 2);
    int month = index(MONTHS, v.substring(8, 11)) + 1;
    int year = digits(v, 12, 4);
    return at(year, month, day, v, 17);
  }

  // Sunday, 06-Nov-94 08:49:37 GMT
  private static Optional<Instant> rfc850(String v, int comma, int currentYear) {
    int p = comma + 1;
    if (index(LONG_DAYS, v.substring(0, comma)) < 0
        || v.length() != p + 23
        || v.charAt(p) != ' '
        || v.charAt(p + 3) != '-'
        || v.charAt(p + 7) != '-'
        || v.charAt(p + 10) != ' '
        || !v.endsWith(" GMT")) {
      return Optional.empty();
    }
    int day = digits(v, p + 1, 2);
    int month = index(MONTHS, v.substring(p + 4, p + 7)) + 1;
    int yy = digits(v, p + 8, 2);
    if (yy < 0) {
      return Optional.empty();
    }
    int year = currentYear - Math.floorMod(currentYear, 100) + yy;
    if (year > currentYear + 50) {
      year -= 100;
    }
    return at(year, month, day, v, p + 11);
  }

  // Sun Nov  6 08:49:37 1994
  private static Optional<Instant> asctime(String v) {
    if (index(DAYS, v.substring(0, 3)) < 0
        || v.charAt(3) != ' '
        || v.charAt(7) != ' '
        || v.charAt(10) != ' '
        || v.charAt(19) != ' ') {
      return Optional.empty();
    }
    int month = index(MONTHS, v.substring(4, 7)) + 1;
    int day = v.charAt(8) == ' ' ? digits(v, 9, 1) : digits(v, 8, 2);
    int year = digits(v, 20, 4);
    return at(year, month, day, v, 11);
  }

  /** {@code HH:mm:ss} at {@code t} on the given day; empty when anything is out of range. */
  private static Optional<Instant> at(int year, int month, int day, String v, int t) {
    if (year < 0 || month < 1 || day < 0 || v.charAt(t + 2) != ':' || v.charAt(t + 5) != ':') {
      return Optional.empty();
    }
    int h = digits(v, t, 2);
    int m = digits(v, t + 3, 2);
    int s = digits(v, t + 6, 2);
    // 60 is a leap second (RFC 5322 allows it); Instant has none, so it folds into the next.
    if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) {
      return Optional.empty();
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay(); // validates day of month
    return Optional.of(Instant.ofEpochSecond(epochDay * 86_400 + h * 3600L + m * 60L + s));
  }

  private static int digits(String v, int from, int n) {
    int r = 0;
    for (int i = from; i < from + n; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      r = r * 10 + (c - '0');
    }
    return r;
  }

  private static int index(String[] names, String s) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(s)) {
        return i;
      }
    }
    return -1;
  }
}
