package io.vminfo.usage.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Objects;

/**
 * One hourly file of one server: segment 0 is {@code <server>.log}, segment {@code n > 0} is {@code
 * <server>.<n>.log} (records that arrived after earlier segments of the hour were sealed). Ordered
 * oldest hour first, then server, then segment: the upload order.
 */
public record SegmentKey(Instant hour, String server, int segment)
    implements Comparable<SegmentKey> {
  private static final Comparator<SegmentKey> ORDER =
      Comparator.comparing(SegmentKey::hour)
          .thenComparing(SegmentKey::server)
          .thenComparingInt(SegmentKey::segment);

  public SegmentKey {
    Objects.requireNonNull(hour, "hour");
    Objects.requireNonNull(server, "server");
    if (!hour.equals(hour.truncatedTo(ChronoUnit.HOURS))) {
      throw new IllegalArgumentException("not the start of an hour: " + hour);
    }
    if (!SpoolLayout.SERVER.matcher(server).matches()) {
      throw new IllegalArgumentException("server uuid is not a safe file name: \"" + server + "\"");
    }
    if (segment < 0 || segment > SpoolLayout.MAX_SEGMENT) {
      throw new IllegalArgumentException("segment out of range: " + segment);
    }
  }

  public static SegmentKey of(Instant timestamp, String server, int segment) {
    return new SegmentKey(timestamp.truncatedTo(ChronoUnit.HOURS), server, segment);
  }

  /** The instant its hour ends (and sealing may start after the grace period). */
  public Instant hourEnd() {
    return hour.plus(1, ChronoUnit.HOURS);
  }

  @Override
  public int compareTo(SegmentKey o) {
    return ORDER.compare(this, o);
  }
}
