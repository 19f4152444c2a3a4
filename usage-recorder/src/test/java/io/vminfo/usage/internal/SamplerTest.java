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
    Spool spool =
        new Spool(
            layout,
            disk,
            new Ledger(layout.ledgerFile(), layout.corruptDir(), disk),
            clock,
            Long.MAX_VALUE,
            Duration.ZERO,
            reporter);
    spool.recover();
    VmStore store = VmStore.builder().clock(clock).build();
    store.initialize(List.of(TestVms.vm(0), TestVms.vm(1)));
    VmTracker tracker = new VmTracker();
    tracker.start(store, clock.instant());
    ProbeRunner probes =
        new ProbeRunner(TestVms.probe(), new DirectExecutor(), Duration.ofSeconds(5), reporter);
    int batch = TailRepairTest.batch(clock.instant(), 2).size();
    Sampler sampler =
        new Sampler(
            tracker,
            probes,
            spool,
            clock,
            MINUTE,
            60,
            TestVms.SERVER,
            Optional.empty(),
            reporter,
            batch * 5 / 2);
    sampler.resumeAfter(Optional.empty());

    disk.freeBytes(0);
    for (int i = 0; i < 5; i++) {
      clock.advance(MINUTE);
      assertThat(sampler.tick()).isEqualTo(Duration.ofSeconds(30));
    }
    UsageStatus s =
        reporter.status(true, spool.snapshot(), sampler.waitingSamples(), 0, Optional.empty());
    assertThat(s.samplesWaiting()).isEqualTo(2);
    assertThat(s.droppedSamples()).isEqualTo(3);
    assertThat(s.droppedBytes()).isEqualTo(3L * batch);
    assertThat(s.samplesWritten()).isZero();
    assertThat(sampler.latest())
        .extracting(r -> r.timestamp())
        .containsOnly(Instant.parse("2026-11-22T10:05:00Z"));

    disk.unlimited();
    clock.advance(MINUTE);
    sampler.tick();
    assertThat(sampler.waitingSamples()).isZero();
    List<Instant> written =
        Records.summaries(Records.readAll(tmp)).stream()
            .map(n -> Instant.parse(n.path("timestamp").asText()))
            .toList();
    assertThat(written)
        .containsExactly(
            Instant.parse("2026-11-22T10:04:00Z"),
            Instant.parse("2026-11-22T10:05:00Z"),
            Instant.parse("2026-11-22T10:06:00Z"));
    spool.close();
  }

  /**
   * The stop sample reads the clock after the last tick did; a boundary passing between those reads
   * (wherever it falls among them) is sampled, not skipped: the samples on disk go on minute after
   * minute up to the interval in progress.
   */
  @Test
  void aBoundaryPassingDuringTheStopSampleIsNotSkipped() throws Exception {
    Instant before = Instant.parse("2026-11-22T10:04:59.990Z");
    Instant after = Instant.parse("2026-11-22T10:05:00.010Z");
    for (int reads = 1; reads <= 12; reads++) {
      Path dir = tmp.resolve("reads-" + reads);
      SteppingClock clock = new SteppingClock(before, after);
      Reporter reporter = new Reporter(UsageListener.NONE, clock);
      SpoolLayout layout = new SpoolLayout(dir);
      TestDisk disk = new TestDisk();
      Spool spool =
          new Spool(
              layout,
              disk,
              new Ledger(layout.ledgerFile(), layout.corruptDir(), disk),
              clock,
              Long.MAX_VALUE,
              Duration.ZERO,
              reporter);
      spool.recover();
      VmStore store = VmStore.builder().clock(clock).build();
      store.initialize(List.of(TestVms.vm(0)));
      VmTracker tracker = new VmTracker();
      tracker.start(store, Instant.parse("2026-11-22T10:00:00Z"));
      ProbeRunner probes =
          new ProbeRunner(TestVms.probe(), new DirectExecutor(), Duration.ofSeconds(5), reporter);
      Sampler sampler =
          new Sampler(
              tracker,
              probes,
              spool,
              clock,
              MINUTE,
              60,
              TestVms.SERVER,
              Optional.empty(),
              reporter,
              Long.MAX_VALUE);
      sampler.resumeAfter(Optional.of(Instant.parse("2026-11-22T10:03:00Z")));
      clock.crossAfter(reads);
      sampler.sampleBeforeStop();
      spool.close();

      List<Instant> written =
          Records.summaries(Records.readAll(dir)).stream()
              .map(n -> Instant.parse(n.path("timestamp").asText()))
              .toList();
      Instant stampedEnd =
          clock.reads() > reads
              ? Instant.parse("2026-11-22T10:06:00Z")
              : Instant.parse("2026-11-22T10:05:00Z");
      List<Instant> expected = new java.util.ArrayList<>();
      for (Instant t = Instant.parse("2026-11-22T10:04:00Z");
          !t.isAfter(stampedEnd);
          t = t.plus(MINUTE)) {
        expected.add(t);
      }
      assertThat(written)
          .as("boundary crossed after %d clock reads", reads)
          .containsExactlyElementsOf(expected);
    }
  }

  /** A clock at {@code before} for a set number of reads, then at {@code after}. */
  private static final class SteppingClock extends java.time.Clock {
    private final Instant before;
    private final Instant after;
    private int crossAfter = Integer.MAX_VALUE;
    private int reads;

    SteppingClock(Instant before, Instant after) {
      this.before = before;
      this.after = after;
    }

    void crossAfter(int n) {
      crossAfter = n;
      reads = 0;
    }

    int reads() {
      return reads;
    }

    @Override
    public synchronized Instant instant() {
      return reads++ < crossAfter ? before : after;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
