package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.usage.testing.TestVms;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StopReadingsTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Instant B = Instant.parse("2026-11-22T10:02:00Z");

  @Test
  void aReadingIsTakenOnceByTheSampleOfItsIntervalOnly() {
    StopReadings r = new StopReadings();
    VmUsage u = TestVms.usageOf(TestVms.vm(0));
    r.put("a", u, B.minusSeconds(20));
    assertThat(r.take("a", B.minus(MINUTE), MINUTE)).as("an earlier interval").isEmpty();
    assertThat(r.take("a", B, MINUTE)).contains(u);
    assertThat(r.take("a", B, MINUTE)).as("used once").isEmpty();

    r.put("b", u, B.minusSeconds(90)); // the VM ran again and was sampled since
    assertThat(r.take("b", B, MINUTE)).isEmpty();
    assertThat(r.size()).isZero();

    r.put("c", VmUsage.EMPTY, B.minusSeconds(5));
    assertThat(r.size()).as("a reading without counters is not kept").isZero();

    r.put("d", u, B.minusSeconds(70));
    r.forgetBefore(B, MINUTE);
    assertThat(r.size()).isZero();
  }

  @Test
  void withNothingToReadAtTheStopTheLastReadingOfThatRunStandsIn() {
    StopReadings r = new StopReadings();
    Vm run1 = TestVms.vm(0).toBuilder().put("pid", 100).build();
    VmUsage atStart = TestVms.usageOf(run1);
    r.keepLast(run1, atStart, B.minusSeconds(50));
    r.keepLast(
        run1, VmUsage.EMPTY, B.minusSeconds(40)); // a read that found nothing changes nothing
    r.stopped(run1, VmUsage.EMPTY, B.minusSeconds(30));
    VmUsage used = r.take(run1.uuid(), B, MINUTE).orElseThrow();
    assertThat(used.cpu()).isEqualTo(atStart.cpu());
    assertThat(used.nics()).isEqualTo(atStart.nics());
    assertThat(used.problems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "nothing left to read at the stop: counters as last read at 2026-11-22T10:01:10.000Z"));
    assertThat(r.lastReadings()).as("forgotten at the stop").isZero();

    // another run (a new pid) stopping with nothing to read does not get run 1's counters
    r.keepLast(run1, atStart, B.minusSeconds(20));
    Vm run2 = run1.toBuilder().put("pid", 200).build();
    r.stopped(run2, VmUsage.EMPTY, B.minusSeconds(10));
    assertThat(r.take(run1.uuid(), B, MINUTE)).isEmpty();

    // what the stop itself read wins over the last reading
    Vm run3 = run1.toBuilder().put("pid", 300).build();
    r.keepLast(run3, atStart, B.minusSeconds(9));
    VmUsage atStop = TestVms.usageOf(TestVms.vm(1));
    r.stopped(run3, atStop, B.minusSeconds(5));
    VmUsage won = r.take(run1.uuid(), B, MINUTE).orElseThrow();
    assertThat(won.cpu()).isEqualTo(atStop.cpu());
    assertThat(won.nics()).containsAllEntriesOf(atStop.nics());

    // a stopped VM object is not a reading of a run; an older read of the same run never wins
    r.keepLast(run1.toBuilder().put("state", "stopped").build(), atStart, B.minusSeconds(4));
    assertThat(r.lastReadings()).isZero();
    r.keepLast(run1, atStop, B.minusSeconds(3));
    r.keepLast(run1, atStart, B.minusSeconds(4));
    r.stopped(run1, VmUsage.EMPTY, B.minusSeconds(2));
    assertThat(r.take(run1.uuid(), B, MINUTE).orElseThrow().cpu()).isEqualTo(atStop.cpu());
    r.keepLast(run1, atStart, B.minusSeconds(1));
    r.forgetLast(run1.uuid());
    assertThat(r.lastReadings()).isZero();
  }

  /** A read racing the guest's end gets the tap but not the process: the CPU read before stays. */
  @Test
  void aPartialReadKeepsWhatTheEarlierReadOfTheRunHad() {
    StopReadings r = new StopReadings();
    Vm run1 = TestVms.vm(0).toBuilder().put("pid", 100).build();
    VmUsage full = TestVms.usageOf(run1);
    VmUsage cpuOnly =
        new VmUsage(
            java.util.Map.of(), full.cpu(), full.memory(), full.disks(), java.util.List.of());
    VmUsage nicOnly =
        new VmUsage(
            full.nics(),
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            java.util.Map.of(),
            java.util.List.of("cpu/memory: process 100 is gone"));
    r.keepLast(run1, cpuOnly, B.minusSeconds(50));
    r.keepLast(run1, nicOnly, B.minusSeconds(45));
    r.stopped(run1, VmUsage.EMPTY, B.minusSeconds(40));
    VmUsage used = r.take(run1.uuid(), B, MINUTE).orElseThrow();
    assertThat(used.cpu()).isEqualTo(full.cpu());
    assertThat(used.nics()).isEqualTo(full.nics());

    // the stop's own partial read is completed from the last reading alike
    r.keepLast(run1, cpuOnly, B.minusSeconds(30));
    r.stopped(run1, nicOnly, B.minusSeconds(20));
    used = r.take(run1.uuid(), B, MINUTE).orElseThrow();
    assertThat(used.cpu()).isEqualTo(full.cpu());
    assertThat(used.nics()).isEqualTo(full.nics());
  }
}
