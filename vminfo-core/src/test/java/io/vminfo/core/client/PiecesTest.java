package io.vminfo.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.core.FeedFormatException;
import io.vminfo.core.client.internal.LineSplitter;
import io.vminfo.core.client.internal.PercentEncoding;
import io.vminfo.core.concurrent.Backoff;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class PiecesTest {
  @Test
  void backoffDoublesUpToTheCapWithJitterBetweenHalfAndAllOfIt() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    List<Long> ceilings = new ArrayList<>();
    List<Long> floors = new ArrayList<>();
    for (int failures = 1; failures <= 6; failures++) {
      ceilings.add(b.delay(failures, 1.0).toMillis());
      floors.add(b.delay(failures, 0.0).toMillis());
    }
    assertThat(ceilings).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
    assertThat(floors).containsExactly(50L, 100L, 200L, 400L, 500L, 500L);
    assertThat(b.delay(1_000_000, 1.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(3, 7.0)).isEqualTo(b.ceiling(3)); // out-of-range jitter is clamped

    RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
    for (int i = 1; i < 50; i++) {
      assertThat(b.delay(i, random.nextDouble()))
          .isBetween(Duration.ofMillis(50), Duration.ofSeconds(1));
    }
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.delay(0, 1.0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void linesAreSplitAcrossBuffersAndBounded() {
    LineSplitter s = new LineSplitter(16);
    List<String> lines = new ArrayList<>();
    s.feed(buf("{\"a\":1}\n{\"b\""), l -> lines.add(new String(l, StandardCharsets.UTF_8)));
    s.feed(buf(":2}\r\n\n"), l -> lines.add(new String(l, StandardCharsets.UTF_8)));
    assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}");
    assertThat(s.pending()).isZero();
    assertThatThrownBy(() -> s.feed(buf("x".repeat(17)), l -> {}))
        .isInstanceOf(FeedFormatException.class)
        .hasMessageContaining("longer than 16");
  }

  @Test
  void percentEncodingKeepsOnlyUnreserved() {
    assertThat(PercentEncoding.encode("web 01/../é")).isEqualTo("web%2001%2F..%2F%C3%A9");
    assertThat(PercentEncoding.encode("a-b_c.d~e")).isEqualTo("a-b_c.d~e");
  }

  @Test
  void optionsValidate() {
    assertThatThrownBy(() -> EventStreamOptions.defaults().withHeartbeat(Duration.ofMillis(10)))
        .hasMessageContaining("at least 1 s");
    assertThatThrownBy(
            () ->
                EventStreamOptions.defaults()
                    .withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(() -> WatchOptions.timeout(Duration.ZERO)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new ResumePoint(-1, "e")).hasMessageContaining("rev");
    assertThatThrownBy(() -> VmQuery.all().withState(" ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> VminfoClient.builder(java.net.URI.create("https://x:1")))
        .hasMessageContaining("http://host:port");
  }

  private static ByteBuffer buf(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }
}
