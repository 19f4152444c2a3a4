package io.vminfo.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
  @Test
  void parses() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("60s")).isEqualTo(Duration.ofSeconds(60));
    assertThat(DurationConverter.parse("60")).isEqualTo(Duration.ofSeconds(60));
    assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(DurationConverter.parse("2H")).isEqualTo(Duration.ofHours(2));
    assertThat(DurationConverter.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void refuses() {
    for (String bad : new String[] {"", "soon", "-5s", "0", "0s", "1.5s", "99999999999s"}) {
      assertThatThrownBy(() -> DurationConverter.parse(bad))
          .as(bad)
          .isInstanceOf(CommandLine.TypeConversionException.class);
    }
  }

  @Test
  void formats() {
    assertThat(DurationConverter.format(Duration.ofMillis(300))).isEqualTo("300ms");
    assertThat(DurationConverter.format(Duration.ofSeconds(60))).isEqualTo("1m");
    assertThat(DurationConverter.format(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
  }
}
