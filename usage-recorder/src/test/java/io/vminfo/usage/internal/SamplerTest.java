package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.VmStore;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.usage.UsageListener;
import io.vminfo.usage.UsageStatus;
import io.vminfo.usage.testing.DirectExecutor;
import io.vminfo.usage.testing.Records;
import io.vminfo.usage.testing.TestDisk;
import io.vminfo.usage.testing.TestVms;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplerTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  @TempDir Path tmp;

  @Test
  void samplesWaitingForADiskAreBoundedOldestDroppedAndCounted() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T10:00:30Z");
    TestDisk disk = new TestDisk();
    Reporter reporter = new Reporter(UsageListener.NONE, clock);
    SpoolLayout layout = new SpoolLayout(tmp);
    Spool spool = new Spool(layout, disk, new Ledger(layout.ledgerFile(), layout.corruptDir(), disk),
        clock, Long.MAX_VALUE, Duration.ZERO, reporter);
    spool.recover();
    VmStore store = VmStore.builder().clock(clock).build();
    store.initialize(List.of(TestVms.vm(0), TestVms.vm(1)));
    VmTracker tracker = new VmTracker();
    tracker.start(store, clock.instant());
    ProbeRunner probes = new ProbeRunner(TestVms.probe(), new DirectExecutor(),
        Duration.ofSeconds(5), reporter);
    int batch = TailRepairTest.batch(clock.instant(), 2).size();
    Sampler sampler = new Sampler(tracker, probes, spool, clock, MINUTE, 60, TestVms.SERVER,
        Optional.empty(), reporter, batch * 5 / 2);
    sampler.resumeAfter(Optional.empty());

    disk.freeBytes(0);
    for (int i = 0; i < 5; i++) {
      clock.advance(MINUTE);
      assertThat(sampler.tick()).isEqualTo(Duration.ofSeconds(30));
    }
    UsageStatus s = reporter.status(true, spool.snapshot(), sampler.waitingSamples(), 0, Optional.empty());
    assertThat(s.samplesWaiting()).isEqualTo(2);
    assertThat(s.droppedSamples()).isEqualTo(3);
    assertThat(s.droppedBytes()).isEqualTo(3L * batch);
    assertThat(s.samplesWritten()).isZero();
    assertThat(sampler.latest()).extracting(r -> r.timestamp())
        .containsOnly(Instant.parse("2026-11-22T10:05:00Z"));

    disk.unlimited();
    clock.advance(MINUTE);
    sampler.tick();
    assertThat(sampler.waitingSamples()).isZero();
    List<Instant> written = Records.summaries(Records.readAll(tmp)).stream()
        .map(n -> Instant.parse(n.path("timestamp").asText())).toList();
    assertThat(written).containsExactly(Instant.parse("2026-11-22T10:04:00Z"),
        Instant.parse("2026-11-22T10:05:00Z"), Instant.parse("2026-11-22T10:06:00Z"));
    spool.close();
  }
}
