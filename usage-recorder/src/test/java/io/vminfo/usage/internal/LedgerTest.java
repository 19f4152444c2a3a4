package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.usage.testing.TestDisk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  @TempDir Path tmp;

  private static Ledger.Entry entry(int hour) {
    String name = String.format("2026/11/22/%02d/srv.log.gz", hour);
    return new Ledger.Entry(
        name,
        "/acct/stor/usage/" + name,
        Md5.of(name.getBytes(StandardCharsets.UTF_8)),
        100 + hour,
        NOW.plusSeconds(hour));
  }

  private Ledger ledger() {
    return new Ledger(
        tmp.resolve("ledger/uploads.jsonl"), tmp.resolve("corrupt"), FileChannels.DEFAULT);
  }

  @Test
  void entriesSurviveAReopen() throws Exception {
    try (Ledger l = ledger()) {
      l.open(NOW);
      l.append(entry(1));
      l.append(entry(2));
    }
    try (Ledger l = ledger()) {
      Ledger.OpenResult r = l.open(NOW);
      assertThat(r.entries()).isEqualTo(2);
      assertThat(r.setAside()).isEmpty();
      assertThat(l.get("2026/11/22/01/srv.log.gz")).contains(entry(1));
      assertThat(l.entries()).containsExactly(entry(1), entry(2));
    }
  }

  @Test
  void aTornLastLineIsCutNotReportedAsCorrupt() throws Exception {
    Path file = tmp.resolve("ledger/uploads.jsonl");
    try (Ledger l = ledger()) {
      l.open(NOW);
      l.append(entry(1));
    }
    byte[] second = Ledger.line(entry(2));
    Files.write(
        file,
        java.util.Arrays.copyOf(second, second.length - 5),
        java.nio.file.StandardOpenOption.APPEND);
    try (Ledger l = ledger()) {
      Ledger.OpenResult r = l.open(NOW);
      assertThat(r.entries()).isEqualTo(1);
      assertThat(r.tornBytes()).isEqualTo(second.length - 5);
      assertThat(r.setAside()).isEmpty();
      l.append(entry(3));
    }
    try (Ledger l = ledger()) {
      l.open(NOW);
      assertThat(l.entries()).containsExactly(entry(1), entry(3));
    }
  }

  @Test
  void aCorruptLedgerIsSetAsideAndTheGoodEntriesKept() throws Exception {
    Path file = tmp.resolve("ledger/uploads.jsonl");
    try (Ledger l = ledger()) {
      l.open(NOW);
      for (int h = 1; h <= 4; h++) {
        l.append(entry(h));
      }
    }
    String text = Files.readString(file);
    // Bit rot that still parses as JSON: another MD5 in entry 2. Plus a garbage line.
    String damaged =
        text.replace(entry(2).md5Base64(), Md5.of(new byte[] {1}))
            .replace(
                new String(Ledger.line(entry(4)), StandardCharsets.UTF_8), "{\"v\":1,\"fi\u0000\n");
    Files.writeString(file, damaged);
    try (Ledger l = ledger()) {
      Ledger.OpenResult r = l.open(NOW);
      assertThat(r.badLines()).isEqualTo(2);
      assertThat(r.setAside()).isPresent();
      assertThat(r.setAside().get()).hasContent(damaged.stripTrailing());
      assertThat(l.entries()).containsExactly(entry(1), entry(3));
      l.append(entry(5));
    }
    try (Ledger l = ledger()) {
      Ledger.OpenResult r = l.open(NOW);
      assertThat(r.badLines()).isZero();
      assertThat(l.entries()).containsExactly(entry(1), entry(3), entry(5));
    }
  }

  @Test
  void aFailedAppendLeavesTheLedgerAsBefore() throws Exception {
    TestDisk disk = new TestDisk();
    Path file = tmp.resolve("ledger/uploads.jsonl");
    try (Ledger l = new Ledger(file, tmp.resolve("corrupt"), disk)) {
      l.open(NOW);
      l.append(entry(1));
      long size = Files.size(file);
      disk.freeBytes(10);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> l.append(entry(2)))
          .hasMessageContaining("No space");
      assertThat(Files.size(file)).isEqualTo(size);
      assertThat(l.get(entry(2).file())).isEmpty();
      disk.unlimited();
      l.append(entry(3));
    }
    try (Ledger l = ledger()) {
      Ledger.OpenResult r = l.open(NOW);
      assertThat(r.badLines()).isZero();
      assertThat(l.entries()).containsExactly(entry(1), entry(3));
    }
  }
}
