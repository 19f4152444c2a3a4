package io.vminfo.cli.internal.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void frames() {
    assertThat(Progress.render("put x", 1000, 0, 0))
        .isEqualTo("put x   0% [>                             ] 0 B / 1000 B");
    assertThat(Progress.render("put x", 4L << 20, 1L << 20, 2_000_000_000L))
        .isEqualTo("put x  25% [=======>                      ] 1.0 MiB / 4.0 MiB  512.0 KiB/s");
    assertThat(Progress.render("put x", 10, 10, 0))
        .isEqualTo("put x 100% [==============================] 10 B / 10 B");
    assertThat(Progress.render("get y", -1, 2048, 0)).isEqualTo("get y 2.0 KiB");
    assertThat(Progress.render("over", 10, 20, 0)).startsWith("over 100% [");
  }

  @Test
  void drawsNothingWhenOff() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (Progress p = Progress.start(new PrintStream(err), "x", 10, () -> 5, false)) {
      assertThat(p).isNotNull();
    }
    assertThat(err.size()).isZero();
    try (Progress p =
        Progress.start(
            new PrintStream(err, true, StandardCharsets.UTF_8), "x", 10, () -> 10, true)) {
      assertThat(p).isNotNull();
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("\rx ").endsWith("10 B\n");
  }

  @Test
  void sizes() {
    assertThat(Sizes.human(0)).isEqualTo("0 B");
    assertThat(Sizes.human(1023)).isEqualTo("1023 B");
    assertThat(Sizes.human(1536)).isEqualTo("1.5 KiB");
    assertThat(Sizes.human(5L << 30)).isEqualTo("5.0 GiB");
  }
}
