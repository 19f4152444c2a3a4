package io.vminfo.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SpoolFileKeyTest {
  @Test
  void filesSortByHourThenSegmentAsTheRecorderFillsThem() {
    SpoolFileKey a = SpoolFileKey.parse("2026/11/22/10/s.log");
    SpoolFileKey b = SpoolFileKey.parse("2026/11/22/10/s.2.log");
    SpoolFileKey c = SpoolFileKey.parse("2026/11/22/11/s.log");
    assertThat(new TreeSet<>(List.of(c, b, a, SpoolFileKey.FIRST)))
        .containsExactly(SpoolFileKey.FIRST, a, b, c);
    assertThat(b.relative()).isEqualTo("2026/11/22/10/s.2.log");
    assertThat(SpoolFileKey.parse(b.relative())).isEqualTo(b);
  }

  @Test
  void otherFilesAreNotSpoolFiles() {
    assertThatThrownBy(() -> SpoolFileKey.parse("ledger/uploads.jsonl"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a spool file");
    assertThatThrownBy(() -> SpoolFileKey.parse("2026/11/22/s.log"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
