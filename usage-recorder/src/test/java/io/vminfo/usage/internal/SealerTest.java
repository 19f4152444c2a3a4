package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.usage.testing.Records;
import io.vminfo.usage.testing.TestDisk;
import io.vminfo.usage.testing.TestVms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealerTest {
  private static final Instant HOUR = Instant.parse("2026-11-22T10:00:00Z");
  @TempDir Path tmp;

  private SegmentKey writeHour(SpoolLayout layout, int samples) throws Exception {
    SegmentKey k = new SegmentKey(HOUR, TestVms.SERVER, 0);
    Files.createDirectories(layout.hourDir(HOUR));
    for (int i = 0; i < samples; i++) {
      Files.write(
          layout.log(k),
          TailRepairTest.batch(HOUR.plusSeconds(60L * i), 5).bytes(),
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
    return k;
  }

  @Test
  void sealsToAGzipWithRecordedMd5AndRemovesTheLog() throws Exception {
    SpoolLayout layout = new SpoolLayout(tmp);
    SegmentKey k = writeHour(layout, 60);
    List<String> original = Records.lines(layout.log(k));
    Sealer.Result r = new Sealer(layout, FileChannels.DEFAULT).seal(k);
    assertThat(layout.log(k)).doesNotExist();
    assertThat(Records.lines(layout.gz(k))).isEqualTo(original);
    assertThat(Md5.ofFile(layout.gz(k))).isEqualTo(r.md5Base64());
    assertThat(layout.md5(k)).hasContent(r.md5Base64());
    assertThat(r.gzBytes()).isEqualTo(Files.size(layout.gz(k)));
    assertThat(r.logBytes()).isGreaterThan(r.gzBytes() * 5);
    assertThat(r.badLines()).isZero();
    assertThat(Shipper.gzipProblem(layout.gz(k))).as("one gzip member, nothing after it").isEmpty();
    byte[] gz = Files.readAllBytes(layout.gz(k));
    assertThat(gz[0] & 0xff).isEqualTo(0x1f);
    assertThat(new byte[] {gz[4], gz[5], gz[6], gz[7]}).containsOnly(0); // mtime 0
    assertThat(gz[3]).isZero(); // no name, comment or extra field
  }

  @Test
  void resealingTheSameLogGivesTheSameBytes() throws Exception {
    SpoolLayout a = new SpoolLayout(tmp.resolve("a"));
    SpoolLayout b = new SpoolLayout(tmp.resolve("b"));
    SegmentKey k = writeHour(a, 30);
    Files.createDirectories(b.hourDir(HOUR));
    Files.copy(a.log(k), b.log(k));
    Sealer.Result ra = new Sealer(a, FileChannels.DEFAULT).seal(k);
    Sealer.Result rb = new Sealer(b, FileChannels.DEFAULT).seal(k);
    assertThat(ra.md5Base64()).isEqualTo(rb.md5Base64());
    assertThat(Files.readAllBytes(a.gz(k))).isEqualTo(Files.readAllBytes(b.gz(k)));
  }

  @Test
  void damagedLinesAreSetAsideNotSealed() throws Exception {
    SpoolLayout layout = new SpoolLayout(tmp);
    SegmentKey k = writeHour(layout, 2);
    List<String> good = Records.lines(layout.log(k));
    byte[] junk = "garbage\n\0\0\0\n{\"v\":1,\"type\":\"usage\"\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = TailRepairTest.concat(junk, Files.readAllBytes(layout.log(k)));
    Files.write(layout.log(k), all);
    Sealer.Result r = new Sealer(layout, FileChannels.DEFAULT).seal(k);
    assertThat(Records.lines(layout.gz(k))).isEqualTo(good);
    assertThat(r.badLines()).isEqualTo(3);
    assertThat(r.badLinesFile()).hasBinaryContent(junk);
  }

  @Test
  void aFullDiskLeavesTheLogAndNoTempOrSealedFile() throws Exception {
    SpoolLayout layout = new SpoolLayout(tmp);
    SegmentKey k = writeHour(layout, 20);
    byte[] before = Files.readAllBytes(layout.log(k));
    TestDisk disk = new TestDisk();
    disk.freeBytes(1000);
    assertThatThrownBy(() -> new Sealer(layout, disk).seal(k)).hasMessageContaining("No space");
    assertThat(Files.readAllBytes(layout.log(k))).isEqualTo(before);
    try (Stream<Path> s = Files.list(layout.hourDir(HOUR))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly(TestVms.SERVER + ".log");
    }
    disk.unlimited();
    Sealer.Result r = new Sealer(layout, disk).seal(k);
    assertThat(Md5.ofFile(layout.gz(k))).isEqualTo(r.md5Base64());
  }
}
