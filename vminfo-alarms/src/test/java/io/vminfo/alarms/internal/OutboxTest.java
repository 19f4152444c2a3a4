package io.vminfo.alarms.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.Rule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
  @TempDir Path dir;

  private static AlarmNotice notice(String id) {
    Instant t = Instant.parse("2026-12-07T10:00:00Z");
    return new AlarmNotice(
        id,
        AlarmNotice.Kind.OPENED,
        new Alarm("a-" + id, "vm", Rule.UNEXPECTED_STOP, t, "stopped"),
        t,
        "stopped");
  }

  @Test
  void pendingEntriesAreReplayedAndDeliveredOnesAreNot() throws Exception {
    try (Outbox o = new Outbox(dir, 100)) {
      o.add("webhook", notice("1"));
      o.add("webhook", notice("2"));
      o.add("email", notice("1"));
      o.done("webhook", "1");
    }
    try (Outbox o = new Outbox(dir, 100)) {
      assertThat(o.pending("webhook"))
          .extracting(e -> e.notice().deliveryId())
          .containsExactly("2");
      assertThat(o.pending("email")).extracting(e -> e.notice()).containsExactly(notice("1"));
    }
  }

  @Test
  void aTornLastLineIsSkippedAndTheRestKept() throws Exception {
    try (Outbox o = new Outbox(dir, 100)) {
      o.add("webhook", notice("1"));
    }
    Files.writeString(
        dir.resolve(Outbox.NAME),
        "{\"op\":\"add\",\"notif",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    try (Outbox o = new Outbox(dir, 100)) {
      assertThat(o.pending("webhook")).hasSize(1);
      o.add("webhook", notice("2"));
    }
    try (Outbox o = new Outbox(dir, 100)) {
      assertThat(o.pending("webhook"))
          .extracting(e -> e.notice().deliveryId())
          .containsExactly("1", "2");
    }
  }

  @Test
  void compactionKeepsOnlyPendingEntries() throws Exception {
    try (Outbox o = new Outbox(dir, 10_000)) {
      for (int i = 0; i < Outbox.COMPACT_AFTER + 10; i++) {
        o.add("webhook", notice("n" + i));
        o.done("webhook", "n" + i);
      }
      o.add("webhook", notice("last"));
    }
    assertThat(Files.readAllLines(dir.resolve(Outbox.NAME)).size()).isLessThan(40);
    try (Outbox o = new Outbox(dir, 100)) {
      assertThat(o.pending("webhook"))
          .extracting(e -> e.notice().deliveryId())
          .containsExactly("last");
    }
  }

  @Test
  void aFullBacklogRefusesNewNoticesForThatNotifierOnly() throws Exception {
    try (Outbox o = new Outbox(dir, 2)) {
      assertThat(o.add("webhook", notice("1"))).isTrue();
      assertThat(o.add("webhook", notice("2"))).isTrue();
      assertThat(o.add("webhook", notice("3"))).isFalse();
      assertThat(o.add("email", notice("3"))).isTrue();
    }
  }
}
