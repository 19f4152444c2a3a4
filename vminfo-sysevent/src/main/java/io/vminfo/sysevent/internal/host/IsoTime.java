package io.vminfo.sysevent.internal.host;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/** ISO-8601 UTC with milliseconds, as vmadm writes timestamps; and UUID checks. */
public final class IsoTime {
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private IsoTime() {}

  public static String format(Instant instant) {
    return MILLIS.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  public static boolean isUuid(String s) {
    return s != null && UUID.matcher(s).matches();
  }

  /** Validates a UUID argument (fail fast with a clear message). */
  public static String requireUuid(String s, String what) {
    if (!isUuid(s)) {
      throw new IllegalArgumentException(what + " must be a UUID, got: " + s);
    }
    return s.toLowerCase(java.util.Locale.ROOT);
  }
}
