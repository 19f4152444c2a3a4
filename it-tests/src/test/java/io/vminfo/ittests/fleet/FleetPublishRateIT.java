package io.vminfo.ittests.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.testing.TestVms;
import io.vminfo.fleet.FleetConfig;
import io.vminfo.fleet.FleetPublisher;
import io.vminfo.ittests.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast one host's publisher gets its feed and its usage spool acknowledged by a real broker
 * (the numbers of docs/benchmarks.md "Fleet publisher (Kafka)"): a store of 50 VMs changed {@value
 * #EVENTS} times as fast as the store takes it, then a spool of {@value #HOURS} hour files of 50
 * VMs a minute. What is measured is the time until the publisher's checkpoint says all of it is
 * acknowledged (acks=all, idempotent), and the broker's end offsets are checked to hold it.
 */
class FleetPublishRateIT {
  static final int VMS = 50;
  static final int EVENTS = 20_000;
  static final int HOURS = 10;
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void oneHostPublishesItsFeedAndUsageThisFast() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), WAIT);
        // buffers that hold the whole burst: the publisher is measured, not cut off and resynced
        VmStore store =
            VmStore.builder()
                .history(2 * EVENTS, 256L << 20)
                .subscriberBuffer(2 * EVENTS, 256L << 20)
                .build()) {
      List<Vm> vms = new ArrayList<>();
      for (int i = 1; i <= VMS; i++) {
        vms.add(TestVms.vm(i));
      }
      store.initialize(vms);
      FleetConfig feedOnly =
          FleetConfig.defaults(kafka.bootstrapServers(), TestVms.SERVER, dir.resolve("state-feed"))
              .withTimings(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofMillis(100));
      try (FleetPublisher p = new FleetPublisher(feedOnly, store)) {
        p.start();
        await().atMost(WAIT).until(() -> p.status().resyncs() >= 1 && p.status().lag() == 0);
        long t0 = System.nanoTime();
        for (int n = 0; n < EVENTS; n++) {
          int i = 1 + n % VMS;
          store.put(TestVms.vm(TestVms.uuid(i), "vm" + i + "-" + n));
        }
        long putMs = ms(t0);
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(10))
            .until(() -> p.status().lastAckedRev() == store.revision());
        long ms = ms(t0);
        System.out.printf(
            "FleetPublishRateIT: feed: %d events (store took them in %d ms) acknowledged"
                + " in %d ms = %.0f events/s (each a feed record and a VM record), %d resyncs, %d"
                + " failed batches%n",
            EVENTS, putMs, ms, EVENTS * 1000.0 / ms, p.status().resyncs(), p.status().failures());
        assertThat(p.status().resyncs()).as("only the first publish was a snapshot").isEqualTo(1);
        assertThat(endOffsets(kafka, "vminfo.feed")).isGreaterThanOrEqualTo(EVENTS);
      }

      // usage: HOURS sealed-or-open hour files of VMS records and a summary a minute
      Path spool = dir.resolve("spool");
      Instant hour0 = Instant.parse("2026-12-01T00:00:00Z");
      long records = 0;
      for (int h = 0; h < HOURS; h++) {
        Instant hour = hour0.plusSeconds(3600L * h);
        StringBuilder sb = new StringBuilder();
        for (int m = 0; m < 60; m++) {
          String ts = hour.plusSeconds(60L * m).toString().replace("Z", ".000Z");
          for (int i = 1; i <= VMS; i++) {
            sb.append("{\"v\":1,\"type\":\"usage\",\"timestamp\":\"")
                .append(ts)
                .append("\",\"server_uuid\":\"")
                .append(TestVms.SERVER)
                .append("\",\"uuid\":\"")
                .append(TestVms.uuid(i))
                .append("\",\"status\":\"running\",\"cpu_ms\":")
                .append(1000L * m + i)
                .append(",\"memory_bytes\":1073741824}\n");
            records++;
          }
          sb.append("{\"v\":1,\"type\":\"summary\",\"timestamp\":\"")
              .append(ts)
              .append("\",\"server_uuid\":\"")
              .append(TestVms.SERVER)
              .append("\",\"vm_count\":")
              .append(VMS)
              .append(",\"runtime_ms\":3}\n");
          records++;
        }
        String rel = hour.toString().substring(0, 13).replace('-', '/').replace('T', '/');
        Path f = spool.resolve(rel + "/" + TestVms.SERVER + ".log");
        Files.createDirectories(f.getParent());
        Files.writeString(f, sb, StandardCharsets.UTF_8);
      }
      FleetConfig usage =
          FleetConfig.defaults(kafka.bootstrapServers(), TestVms.SERVER, dir.resolve("state-usage"))
              .withTimings(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofMillis(100))
              .withUsageSpool(spool);
      long total = records;
      try (FleetPublisher p = new FleetPublisher(usage, store)) {
        long t0 = System.nanoTime();
        p.start();
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(10))
            .until(() -> p.status().usageRecords() >= total);
        long ms = ms(t0);
        System.out.printf(
            "FleetPublishRateIT: usage: %d records (%d hour files of %d VMs a minute)"
                + " acknowledged in %d ms = %.0f records/s; %d failed batches%n",
            total, HOURS, VMS, ms, total * 1000.0 / ms, p.status().failures());
        assertThat(p.status().usageRecords()).isEqualTo(total);
        assertThat(endOffsets(kafka, "vminfo.usage")).isGreaterThanOrEqualTo(total);
      }

      // a VM topic that exists without compaction is refused with a clear error, nothing sent
      try (Admin admin = kafka.admin()) {
        admin
            .createTopics(
                List.of(new org.apache.kafka.clients.admin.NewTopic("plain.vms", 1, (short) 1)))
            .all()
            .get();
      }
      FleetConfig wrong =
          FleetConfig.defaults(kafka.bootstrapServers(), TestVms.SERVER, dir.resolve("state-wrong"))
              .withTopics("wrong.feed", "plain.vms", "wrong.usage")
              .withTimings(Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofMillis(100));
      try (FleetPublisher p = new FleetPublisher(wrong, store)) {
        p.start();
        await().atMost(WAIT).until(() -> p.status().lastError().isPresent());
        assertThat(p.status().lastError().get())
            .contains("plain.vms", "cleanup.policy=delete", "must be compacted");
        assertThat(p.status().feedRecords()).isZero();
        assertThat(p.status().resyncs()).isZero();
        assertThat(endOffsets(kafka, "plain.vms")).isZero();
      }
    }
  }

  private static long endOffsets(KafkaBroker kafka, String topic) throws Exception {
    try (Admin admin = kafka.admin()) {
      int parts =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> q = new java.util.HashMap<>();
      for (int i = 0; i < parts; i++) {
        q.put(new TopicPartition(topic, i), OffsetSpec.latest());
      }
      return admin.listOffsets(q).all().get().values().stream()
          .collect(Collectors.summingLong(r -> r.offset()));
    }
  }

  private static long ms(long t0) {
    return Math.max(1, (System.nanoTime() - t0) / 1_000_000);
  }
}
