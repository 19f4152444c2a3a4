package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnitsAndWatcherTest {
  @TempDir Path tmp;

  @Test
  void durationsAndSizes() {
    assertThat(Units.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.duration(" 5m ")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Units.duration("2H")).isEqualTo(Duration.ofHours(2));
    assertThat(Units.duration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Units.bytes("65536")).isEqualTo(65536);
    assertThat(Units.bytes("32MiB")).isEqualTo(32L << 20);
    assertThat(Units.bytes("1 GiB")).isEqualTo(1L << 30);
    assertThat(Units.bytes("2kb")).isEqualTo(2000);
    assertThatThrownBy(() -> Units.duration("5")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Units.bytes("-1")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> Units.bytes("99999999999999TiB")).hasMessageContaining("too large");
    assertThat(Units.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Units.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Units.formatBytes(32L << 20)).isEqualTo("32MiB");
    assertThat(Units.formatBytes(1000)).isEqualTo("1000");
  }

  @Test
  @SuppressWarnings("try") // the resource is held for its side effect, not used
  void theConfigWatcherRunsOnChangesOnly() throws Exception {
    Path file = tmp.resolve("agent.json");
    Files.writeString(file, "{}");
    ManualScheduler scheduler = new ManualScheduler(ManualClock.at("2026-01-01T00:00:00Z"));
    AtomicInteger changes = new AtomicInteger();
    try (ConfigWatcher w =
        new ConfigWatcher(file, Duration.ofSeconds(2), scheduler, changes::incrementAndGet)) {
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(changes).hasValue(0);
      Files.writeString(file, "{\"log_level\":\"debug\"}");
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(changes).hasValue(1);
      scheduler.advance(Duration.ofSeconds(10));
      assertThat(changes).hasValue(1);
      Files.delete(file);
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(changes).hasValue(1); // a vanished file keeps the running config
      Files.writeString(file, "{}");
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(changes).hasValue(2);
    }
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  @SuppressWarnings("try") // the resource is held for its side effect, not used
  void aFailingReloadIsLoggedAndTheWatcherCarriesOn() throws Exception {
    Path file = tmp.resolve("agent.json");
    Files.writeString(file, "{}");
    ManualScheduler scheduler = new ManualScheduler(ManualClock.at("2026-01-01T00:00:00Z"));
    AtomicInteger calls = new AtomicInteger();
    try (ConfigWatcher w =
        new ConfigWatcher(
            file,
            Duration.ofSeconds(1),
            scheduler,
            () -> {
              calls.incrementAndGet();
              throw new IllegalArgumentException("bad value");
            })) {
      Files.writeString(file, "{\"x\":1}");
      scheduler.advance(Duration.ofSeconds(1));
      Files.writeString(file, "{\"x\":2}");
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(calls).hasValue(2);
    }
  }
}
