package io.vminfo.usage.internal;

import static io.vminfo.usage.internal.TailRepairTest.batch;
import static io.vminfo.usage.internal.TailRepairTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.testing.ManualClock;
import io.vminfo.usage.UsageLineCheck;
import io.vminfo.usage.UsageListener;
import io.vminfo.usage.UsageStatus;
import io.vminfo.usage.testing.TestVms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 point 2: two agents on one spool interleave their appends ({@code "runtime_ms":250{"v":1,...}),
 * duplicate samples and leave samples without their summary in the middle of the hour file; the
 * tail repair only looks at the end. An adopted open file is checked line by line as
 * {@code vminfo usage verify} does: what is not a record of the file goes to {@code corrupt/}, the
 * good lines stay, nothing is lost.
 */
class AdoptionCheckTest {
  private static final Instant T = Instant.parse("2026-11-22T10:01:00Z");
  @TempDir Path tmp;

  private final List<String> setAsideReported = new CopyOnWriteArrayList<>();

  private Spool spool(SpoolLayout layout, ManualClock clock) {
    UsageListener listener =
        new UsageListener() {
          @Override
          public void setAside(String file, String reason) {
            setAsideReported.add(file + ": " + reason);
          }
        };
    return new Spool(
        layout,
        FileChannels.DEFAULT,
        new Ledger(layout.ledgerFile(), layout.corruptDir(), FileChannels.DEFAULT),
        clock,
        Long.MAX_VALUE,
        Duration.ofDays(1),
        new Reporter(listener, clock));
  }

  private static List<String> lines(byte[] content) {
    List<String> out = new ArrayList<>();
    for (String l : new String(content, StandardCharsets.UTF_8).split("\n", -1)) {
      if (!l.isEmpty()) {
        out.add(l);
      }
    }
    return out;
  }

  @Test
  void tornForeignAndDuplicatedLinesGoAsideAndTheFileVerifiesClean() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T10:30:00Z");
    SpoolLayout layout = new SpoolLayout(tmp);
    SegmentKey k = SegmentKey.of(T, TestVms.SERVER, 0);
    Files.createDirectories(layout.log(k).getParent());

    byte[] first = batch(T, 3).bytes();
    byte[] second = batch(T.plusSeconds(60), 3).bytes();
    byte[] third = batch(T.plusSeconds(120), 2).bytes();
    byte[] fourth = batch(T.plusSeconds(180), 2).bytes();
    String secondText = new String(second, StandardCharsets.UTF_8);
    // A second agent's copy of the second sample: every line a duplicate of one already there.
    // A torn interleaving: half a usage line with another agent's line appended to it.
    String firstLine = lines(third).get(0);
    byte[] torn =
        (firstLine.substring(0, firstLine.indexOf("\"cpu_usage\"")) + lines(first).get(0) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    // A foreign server's record and the third sample without its summary.
    byte[] foreign =
        (lines(first).get(1).replace(TestVms.SERVER, "00000000-0000-4000-8000-00000000beef") + "\n")
            .getBytes(StandardCharsets.UTF_8);
    List<String> thirdLines = lines(third);
    byte[] thirdWithoutSummary =
        (String.join("\n", thirdLines.subList(0, thirdLines.size() - 1)) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] content =
        concat(
            first,
            second,
            secondText.getBytes(StandardCharsets.UTF_8),
            torn,
            foreign,
            thirdWithoutSummary,
            fourth);
    Files.write(layout.log(k), content);

    Spool spool = spool(layout, clock);
    Spool.Recovery r = spool.recover();
    assertThat(r.openFiles()).isEqualTo(1);
    assertThat(r.lastSample()).contains(T.plusSeconds(180));

    byte[] kept = Files.readAllBytes(layout.log(k));
    assertThat(kept).isEqualTo(concat(first, second, fourth));
    UsageLineCheck check = UsageLineCheck.forFile(layout.log(k));
    for (String line : lines(kept)) {
      assertThat(check.check(line.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(UsageLineCheck.Good.class);
    }
    assertThat(check.samplesWithoutSummary()).isEmpty();

    Path aside =
        layout
            .corruptDir()
            .resolve(layout.relative(layout.log(k)).replace('/', '-') + ".adopted-bad-lines");
    List<String> all = new ArrayList<>(lines(kept));
    all.addAll(lines(Files.readAllBytes(aside)));
    assertThat(all)
        .as("every line is kept or set aside, none lost, none twice")
        .containsExactlyInAnyOrderElementsOf(lines(content));
    assertThat(lines(Files.readAllBytes(aside))).hasSize(4 + 1 + 1 + 2);

    List<UsageStatus.SetAsideFile> listed = spool.snapshot().setAside();
    assertThat(listed)
        .extracting(UsageStatus.SetAsideFile::file)
        .containsExactly(layout.relative(aside));
    assertThat(listed.get(0).reason())
        .contains("8 line(s)")
        .contains("a second record of VM")
        .contains("good line(s) kept");
    assertThat(setAsideReported).singleElement().asString().contains(layout.relative(aside));
    spool.close();

    // The next start finds the file clean: nothing more moves, nothing is reported again.
    setAsideReported.clear();
    Spool again = spool(layout, clock);
    again.recover();
    assertThat(Files.readAllBytes(layout.log(k))).isEqualTo(kept);
    assertThat(lines(Files.readAllBytes(aside))).hasSize(8);
    assertThat(setAsideReported).isEmpty();
    again.close();
  }

  @Test
  void aCleanFileIsAdoptedByteForByteAndNothingIsSetAside() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T10:30:00Z");
    SpoolLayout layout = new SpoolLayout(tmp);
    SegmentKey k = SegmentKey.of(T, TestVms.SERVER, 0);
    Files.createDirectories(layout.log(k).getParent());
    byte[] content = concat(batch(T, 3).bytes(), batch(T.plusSeconds(60), 3).bytes());
    Files.write(layout.log(k), content);
    Spool spool = spool(layout, clock);
    assertThat(spool.recover().lastSample()).isEqualTo(Optional.of(T.plusSeconds(60)));
    assertThat(Files.readAllBytes(layout.log(k))).isEqualTo(content);
    assertThat(spool.snapshot().setAside()).isEmpty();
    assertThat(setAsideReported).isEmpty();
    spool.close();
  }
}
