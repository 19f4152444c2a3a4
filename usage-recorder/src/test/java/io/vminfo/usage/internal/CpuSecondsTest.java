package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-rolled cpu-seconds formatter agrees with BigDecimal. */
class CpuSecondsTest {

  @Test
  void cpuSecondsMatchBigDecimalRounding() {
    Random r = new Random(11);
    for (int i = 0; i < 100_000; i++) {
      double s =
          switch (i % 4) {
            case 0 -> r.nextDouble();
            case 1 -> r.nextDouble() * 1e7;
            case 2 -> Math.floor(r.nextDouble() * 1e5) / 100;
            default -> r.nextInt(1000);
          };
      String want =
          BigDecimal.valueOf(s)
              .setScale(6, RoundingMode.HALF_UP)
              .stripTrailingZeros()
              .toPlainString();
      assertThat(new BigDecimal(RecordCodec.seconds(s)))
          .as("%s", s)
          .isEqualByComparingTo(new BigDecimal(want));
      assertThat(RecordCodec.seconds(s))
          .doesNotContain("E")
          .doesNotEndWith(".")
          .matches("[0-9]+(\\.[0-9]*[1-9])?");
    }
    assertThat(RecordCodec.seconds(0)).isEqualTo("0");
    assertThat(RecordCodec.seconds(12.5)).isEqualTo("12.5");
    assertThat(RecordCodec.seconds(0.000001)).isEqualTo("0.000001");
    assertThat(RecordCodec.seconds(1e13)).isEqualTo("10000000000000");
  }
}
