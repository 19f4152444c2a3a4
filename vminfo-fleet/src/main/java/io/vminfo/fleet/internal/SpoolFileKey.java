package io.vminfo.fleet.internal;

import java.util.Comparator;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One spool file, named as DESIGN section 7 lays them out: {@code YYYY/MM/DD/HH/<server>[.n].log},
 * sealed as the same name plus {@code .gz}. Ordered by hour, then segment: the order in which the
 * recorder fills them.
 */
public record SpoolFileKey(String hourDir, String server, int segment)
    implements Comparable<SpoolFileKey> {
  /** Sorts before every real file. */
  public static final SpoolFileKey FIRST = new SpoolFileKey("", "", -1);

  private static final Pattern NAME = Pattern.compile("([^/.]+?)(?:\\.(\\d{1,6}))?\\.log");
  private static final Pattern HOUR = Pattern.compile("\\d{4}/\\d{2}/\\d{2}/\\d{2}");
  private static final Comparator<SpoolFileKey> ORDER =
      Comparator.comparing(SpoolFileKey::hourDir)
          .thenComparing(SpoolFileKey::segment)
          .thenComparing(SpoolFileKey::server);

  public SpoolFileKey {
    Objects.requireNonNull(hourDir, "hourDir");
    Objects.requireNonNull(server, "server");
  }

  /** The {@code .log} path relative to the spool. */
  public String relative() {
    if (segment < 0) {
      return "";
    }
    return hourDir + "/" + server + (segment == 0 ? "" : "." + segment) + ".log";
  }

  /** Parses {@code YYYY/MM/DD/HH/<server>[.n].log} (an empty string is {@link #FIRST}). */
  public static SpoolFileKey parse(String relative) {
    if (relative.isEmpty()) {
      return FIRST;
    }
    int slash = relative.lastIndexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("not a spool file: " + relative);
    }
    String hour = relative.substring(0, slash);
    Matcher m = NAME.matcher(relative.substring(slash + 1));
    if (!HOUR.matcher(hour).matches() || !m.matches()) {
      throw new IllegalArgumentException("not a spool file: " + relative);
    }
    return new SpoolFileKey(
        hour, m.group(1), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  @Override
  public int compareTo(SpoolFileKey o) {
    return ORDER.compare(this, o);
  }
}
