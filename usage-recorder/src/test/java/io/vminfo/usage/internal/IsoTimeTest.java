package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-rolled formatters agree with the JDK's. */
class IsoTimeTest {
  private static final DateTimeFormatter JDK =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

  @Test
  void timestampsMatchTheJdkFormatter() {
    Random r = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      Instant t = Instant.ofEpochSecond((long) (r.nextDouble() * 253_402_300_799L), r.nextInt(1_000_000_000));
      assertThat(IsoTime.format(t)).isEqualTo(JDK.format(t.truncatedTo(ChronoUnit.MILLIS)));
    }
    assertThat(IsoTime.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(IsoTime.format(Instant.parse("2026-11-22T10:01:00.999999Z"))).isEqualTo("2026-11-22T10:01:00.999Z");
    assertThat(IsoTime.format(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("1969-12-31T23:59:59.500Z");
  }

  @Test
  void cpuSecondsMatchBigDecimalRounding() {
    Random r = new Random(11);
    for (int i = 0; i < 100_000; i++) {
      double s = switch (i % 4) {
        case 0 -> r.nextDouble();
        case 1 -> r.nextDouble() * 1e7;
        case 2 -> Math.floor(r.nextDouble() * 1e5) / 100;
        default -> r.nextInt(1000);
      };
      String want = BigDecimal.valueOf(s).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
      assertThat(new BigDecimal(RecordCodec.seconds(s))).as("%s", s).isEqualByComparingTo(new BigDecimal(want));
      assertThat(RecordCodec.seconds(s)).doesNotContain("E").doesNotEndWith(".").matches("[0-9]+(\\.[0-9]*[1-9])?");
    }
    assertThat(RecordCodec.seconds(0)).isEqualTo("0");
    assertThat(RecordCodec.seconds(12.5)).isEqualTo("12.5");
    assertThat(RecordCodec.seconds(0.000001)).isEqualTo("0.000001");
    assertThat(RecordCodec.seconds(1e13)).isEqualTo("10000000000000");
  }
}
