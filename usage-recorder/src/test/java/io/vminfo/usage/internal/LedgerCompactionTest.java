package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.testing.ManualClock;
import io.vminfo.usage.UsageListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload ledger stays small: entries of files long gone are dropped at start. */
class LedgerCompactionTest {
  private static final String SERVER = "srv";
  @TempDir Path tmp;

  private static Ledger.Entry entry(SpoolLayout layout, Instant hour, Instant uploaded) {
    SegmentKey k = SegmentKey.of(hour, SERVER, 0);
    String name = layout.sealedName(k);
    return new Ledger.Entry(
        name,
        "/acct/stor/usage/" + name,
        Md5.of(name.getBytes(StandardCharsets.UTF_8)),
        10,
        uploaded);
  }

  @Test
  void compactingKeepsWhatThePredicateKeepsAndAppendsGoOn() throws Exception {
    SpoolLayout layout = new SpoolLayout(tmp);
    Instant t = Instant.parse("2026-11-01T00:00:00Z");
    List<Ledger.Entry> all = new ArrayList<>();
    try (Ledger l = new Ledger(layout.ledgerFile(), layout.corruptDir(), FileChannels.DEFAULT)) {
      l.open(t);
      for (int h = 0; h < 10; h++) {
        Ledger.Entry e =
            entry(layout, t.plus(Duration.ofHours(h)), t.plus(Duration.ofHours(h + 1)));
        all.add(e);
        l.append(e);
      }
      Instant cut = t.plus(Duration.ofHours(5));
      assertThat(l.compact(e -> e.uploaded().isAfter(cut), 6))
          .as("fewer than minDrop: untouched")
          .isZero();
      assertThat(l.entries()).hasSize(10);
      assertThat(l.compact(e -> e.uploaded().isAfter(cut), 5)).isEqualTo(5);
      Ledger.Entry later =
          entry(layout, t.plus(Duration.ofHours(20)), t.plus(Duration.ofHours(21)));
      l.append(later);
      all.add(later);
    }
    try (Ledger l = new Ledger(layout.ledgerFile(), layout.corruptDir(), FileChannels.DEFAULT)) {
      Ledger.OpenResult r = l.open(t);
      assertThat(r.badLines()).isZero();
      assertThat(r.tornBytes()).isZero();
      assertThat(l.entries()).containsExactlyElementsOf(all.subList(5, 11));
    }
  }

  @Test
  void atStartOldEntriesGoButRetainedCopiesAndRecentUploadsStay() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T10:00:30Z");
    SpoolLayout layout = new SpoolLayout(tmp);
    Instant old = Instant.parse("2026-08-01T00:00:00Z");
    Instant retainedHour = old.plus(Duration.ofHours(5));
    try (Ledger l = new Ledger(layout.ledgerFile(), layout.corruptDir(), FileChannels.DEFAULT)) {
      l.open(clock.instant());
      for (int h = 0; h < Spool.LEDGER_COMPACT_MIN + 10; h++) {
        Instant hour = old.plus(Duration.ofHours(h));
        l.append(entry(layout, hour, hour.plus(Duration.ofMinutes(3))));
      }
      Instant recent = Instant.parse("2026-11-20T07:00:00Z");
      l.append(entry(layout, recent, recent.plus(Duration.ofMinutes(3))));
    }
    // A retained copy of an old hour is still in the spool: its entry must stay, or it would be
    // uploaded again.
    SegmentKey kept = SegmentKey.of(retainedHour, SERVER, 0);
    Files.createDirectories(layout.hourDir(retainedHour));
    Files.write(layout.gz(kept), new byte[] {31, -117, 8, 0});

    Spool spool =
        new Spool(
            layout,
            FileChannels.DEFAULT,
            new Ledger(layout.ledgerFile(), layout.corruptDir(), FileChannels.DEFAULT),
            clock,
            Long.MAX_VALUE,
            Duration.ofDays(365),
            new Reporter(UsageListener.NONE, clock));
    Spool.Recovery r = spool.recover();
    assertThat(r.retainedFiles()).isEqualTo(1);
    assertThat(spool.claimUpload()).as("the retained copy is known as uploaded").isEmpty();
    spool.close();

    try (Ledger l = new Ledger(layout.ledgerFile(), layout.corruptDir(), FileChannels.DEFAULT)) {
      l.open(clock.instant());
      assertThat(l.entries())
          .extracting(Ledger.Entry::file)
          .containsExactly(
              layout.sealedName(kept),
              layout.sealedName(SegmentKey.of(Instant.parse("2026-11-20T07:00:00Z"), SERVER, 0)));
    }
  }
}
