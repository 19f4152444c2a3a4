package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.usage.UsageRecord;
import io.vminfo.usage.testing.TestVms;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailRepairTest {
  private static final Instant T = Instant.parse("2026-11-22T10:01:00Z");
  @TempDir Path tmp;

  static Batch batch(Instant t, int vms) {
    List<UsageRecord> records = new ArrayList<>();
    for (int i = 0; i < vms; i++) {
      records.add(
          UsageRecord.of(
              t, TestVms.SERVER, Optional.empty(), TestVms.vm(i), TestVms.usageOf(TestVms.vm(i))));
    }
    return RecordCodec.encode(t, TestVms.SERVER, Optional.empty(), records, 1);
  }

  @Test
  void keepsACleanFileAsItIs() throws Exception {
    Path log = tmp.resolve("a.log");
    byte[] two = concat(batch(T, 3).bytes(), batch(T.plusSeconds(60), 3).bytes());
    Files.write(log, two);
    TailRepair.Result r = TailRepair.repair(log, FileChannels.DEFAULT);
    assertThat(r.cutBytes()).isZero();
    assertThat(r.keptBytes()).isEqualTo(two.length);
    assertThat(r.lastSample()).contains(T.plusSeconds(60));
    assertThat(Files.readAllBytes(log)).isEqualTo(two);
  }

  @Test
  void cutsEveryKindOfTornTailBackToTheLastCompleteSample() throws Exception {
    byte[] first = batch(T, 3).bytes();
    byte[] second = batch(T.plusSeconds(60), 3).bytes();
    // Cut the second sample everywhere: mid-line, at each line end, just before its summary.
    java.util.SortedSet<Integer> cuts = new java.util.TreeSet<>();
    for (int i = 0; i < second.length; i++) {
      if (i % 7 == 0
          || second[i] == '\n'
          || (i > 0 && second[i - 1] == '\n')
          || i == second.length - 1) {
        cuts.add(i);
      }
    }
    for (int cut : cuts) {
      Path log = tmp.resolve("torn-" + cut + ".log");
      byte[] content = concat(first, java.util.Arrays.copyOf(second, cut));
      Files.write(log, content);
      TailRepair.Result r = TailRepair.repair(log, FileChannels.DEFAULT);
      assertThat(Files.readAllBytes(log)).as("cut at %d", cut).isEqualTo(first);
      assertThat(r.lastSample()).contains(T);
      assertThat(r.cutBytes()).isEqualTo(cut);
    }
  }

  @Test
  void zeroFilledTailFromAPowerCutIsRemoved() throws Exception {
    byte[] first = batch(T, 2).bytes();
    Path log = tmp.resolve("zeros.log");
    Files.write(log, concat(first, new byte[70_000], "\n".getBytes(), new byte[10]));
    TailRepair.Result r = TailRepair.repair(log, FileChannels.DEFAULT);
    assertThat(Files.readAllBytes(log)).isEqualTo(first);
    assertThat(r.lastSample()).contains(T);
  }

  @Test
  void aFileWithNoCompleteSampleBecomesEmpty() throws Exception {
    byte[] b = batch(T, 2).bytes();
    Path log = tmp.resolve("none.log");
    Files.write(log, java.util.Arrays.copyOf(b, b.length - 1));
    TailRepair.Result r = TailRepair.repair(log, FileChannels.DEFAULT);
    assertThat(r.keptBytes()).isZero();
    assertThat(r.lastSample()).isEmpty();
    assertThat(Files.size(log)).isZero();
  }

  @Test
  void findsTheSummaryBehindALargeSample() throws Exception {
    byte[] big = batch(T, 500).bytes(); // several 64 KiB windows
    Path log = tmp.resolve("big.log");
    byte[] torn = batch(T.plusSeconds(60), 500).bytes();
    Files.write(log, concat(big, java.util.Arrays.copyOf(torn, torn.length - 10)));
    TailRepair.Result r = TailRepair.repair(log, FileChannels.DEFAULT);
    assertThat(Files.readAllBytes(log)).isEqualTo(big);
    assertThat(r.lastSample()).contains(T);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
