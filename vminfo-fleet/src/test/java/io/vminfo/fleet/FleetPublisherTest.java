package io.vminfo.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.VmStore;
import io.vminfo.core.testing.TestVms;
import io.vminfo.fleet.internal.FeedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher against Kafka's own {@link MockProducer} (the Kafka boundary), real files. */
class FleetPublisherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVER = TestVms.SERVER;
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private VmStore store;
  private FleetPublisher publisher;

  @AfterEach
  void tearDown() {
    if (publisher != null) {
      publisher.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private FleetConfig config() {
    return FleetConfig.defaults("localhost:9092", SERVER, dir.resolve("state"))
        .withTimings(Duration.ofSeconds(5), Duration.ofMillis(20), Duration.ofMillis(20));
  }

  private static MockProducer<String, byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(
        autoComplete, null, new StringSerializer(), new ByteArraySerializer());
  }

  private FleetPublisher start(FleetConfig c, MockProducer<String, byte[]> p) throws Exception {
    publisher = new FleetPublisher(c, store, props -> p);
    publisher.start();
    return publisher;
  }

  private static List<ProducerRecord<String, byte[]>> on(
      MockProducer<String, byte[]> p, String topic) {
    return p.history().stream().filter(r -> r.topic().equals(topic)).toList();
  }

  private static JsonNode json(ProducerRecord<String, byte[]> r) throws Exception {
    return JSON.readTree(r.value());
  }

  @Test
  void firstPublishIsAResyncThenEveryEventWithTombstonesForDeletes() throws Exception {
    store = VmStore.builder().build();
    store.initialize(List.of(TestVms.vm(1), TestVms.vm(2)));
    MockProducer<String, byte[]> p = producer(true);
    start(config(), p);
    await().atMost(WAIT).until(() -> publisher.status().resyncs() == 1);
    assertThat(on(p, "vminfo.vms"))
        .extracting(ProducerRecord::key)
        .containsExactly(SERVER + "/" + TestVms.uuid(1), SERVER + "/" + TestVms.uuid(2));
    JsonNode marker = json(on(p, "vminfo.feed").get(0));
    assertThat(marker.get("type").asText()).isEqualTo("resync");
    assertThat(marker.get("server_uuid").asText()).isEqualTo(SERVER);

    store.put(TestVms.vm(3));
    store.remove(TestVms.uuid(1));
    await().atMost(WAIT).until(() -> publisher.status().lastAckedRev() == 2);

    List<ProducerRecord<String, byte[]>> feed = on(p, "vminfo.feed");
    assertThat(feed).hasSize(3);
    assertThat(feed.get(1).key()).isEqualTo(TestVms.uuid(3));
    assertThat(json(feed.get(1)).get("type").asText()).isEqualTo("create");
    assertThat(json(feed.get(1)).get("server_uuid").asText()).isEqualTo(SERVER);
    assertThat(json(feed.get(1)).get("epoch").asText()).isEqualTo(store.epoch());
    assertThat(json(feed.get(2)).get("type").asText()).isEqualTo("delete");
    ProducerRecord<String, byte[]> tomb = on(p, "vminfo.vms").get(3);
    assertThat(tomb.key()).isEqualTo(SERVER + "/" + TestVms.uuid(1));
    assertThat(tomb.value()).isNull();

    FeedCheckpoint cp = FeedCheckpoint.read(dir.resolve("state/feed-checkpoint.json"));
    assertThat(cp.epoch()).isEqualTo(store.epoch());
    assertThat(cp.rev()).isEqualTo(2);
    assertThat(cp.uuids()).containsExactlyInAnyOrder(TestVms.uuid(2), TestVms.uuid(3));
    assertThat(publisher.status().connected()).isTrue();
    assertThat(publisher.status().lag()).isZero();
  }

  @Test
  void aNewAgentRunResyncsAndTombstonesTheVmsDeletedWhileItWasDown() throws Exception {
    new FeedCheckpoint("an-earlier-run", 40, Set.of(TestVms.uuid(1), TestVms.uuid(9)))
        .write(dir.resolve("state/feed-checkpoint.json"));
    store = VmStore.builder().build();
    store.initialize(List.of(TestVms.vm(1)));
    MockProducer<String, byte[]> p = producer(true);
    start(config(), p);
    await().atMost(WAIT).until(() -> publisher.status().resyncs() == 1);
    List<ProducerRecord<String, byte[]>> vms = on(p, "vminfo.vms");
    assertThat(vms)
        .extracting(ProducerRecord::key)
        .containsExactly(SERVER + "/" + TestVms.uuid(1), SERVER + "/" + TestVms.uuid(9));
    assertThat(vms.get(1).value()).isNull();
    assertThat(json(on(p, "vminfo.feed").get(0)).get("reason").asText()).isEqualTo("new agent run");
  }

  @Test
  void aDamagedCheckpointMeansAResyncNotAStop() throws Exception {
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(dir.resolve("state/feed-checkpoint.json"), "{\"epoch\":");
    store = VmStore.builder().build();
    store.initialize(List.of(TestVms.vm(1)));
    MockProducer<String, byte[]> p = producer(true);
    start(config(), p);
    await().atMost(WAIT).until(() -> publisher.status().resyncs() == 1);
    assertThat(FeedCheckpoint.read(dir.resolve("state/feed-checkpoint.json")).epoch())
        .isEqualTo(store.epoch());
  }

  @Test
  void aBatchTheBrokerDoesNotAcknowledgeIsSentAgainFromTheCheckpoint() throws Exception {
    store = VmStore.builder().build();
    store.initialize(List.of(TestVms.vm(1)));
    MockProducer<String, byte[]> p = producer(false);
    start(config(), p);
    await().atMost(WAIT).until(() -> p.history().size() >= 2);
    assertThat(p.errorNext(new TimeoutException("broker down"))).isTrue();
    await().atMost(WAIT).until(() -> publisher.status().failures() == 1);
    assertThat(publisher.status().connected()).isFalse();
    assertThat(publisher.status().lastError()).get().asString().contains("broker down");
    // The broker is back: everything acknowledged from now on.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              while (p.completeNext()) {
                // acknowledge all pending sends
              }
              return publisher.status().resyncs() == 1;
            });
    assertThat(on(p, "vminfo.vms"))
        .extracting(ProducerRecord::key)
        .containsOnly(SERVER + "/" + TestVms.uuid(1))
        .hasSizeGreaterThanOrEqualTo(2);
    store.put(TestVms.vm(2));
    await()
        .atMost(WAIT)
        .until(
            () -> {
              while (p.completeNext()) {
                // acknowledge
              }
              return publisher.status().lastAckedRev() == 1;
            });
    assertThat(publisher.status().connected()).isTrue();
  }

  @Test
  void aVmWhoseRecordMayHaveReachedTheTopicIsTombstonedByTheNextRunIfItIsGone() throws Exception {
    store = VmStore.builder().build();
    store.initialize(List.of(TestVms.vm(1)));
    MockProducer<String, byte[]> p = producer(false);
    start(config(), p);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              while (p.completeNext()) {
                // the first resync is acknowledged
              }
              return publisher.status().resyncs() == 1;
            });
    store.put(TestVms.vm(2));
    // vm 2's record is sent and never acknowledged: the broker may hold it all the same
    await()
        .atMost(WAIT)
        .until(
            () ->
                on(p, "vminfo.vms").stream()
                    .anyMatch(r -> r.key().equals(SERVER + "/" + TestVms.uuid(2))));
    publisher.close();
    publisher = null;
    FeedCheckpoint cp = FeedCheckpoint.read(dir.resolve("state/feed-checkpoint.json"));
    assertThat(cp.rev()).as("the position is the acknowledged one").isZero();
    assertThat(cp.uuids()).contains(TestVms.uuid(2));

    // the agent comes back (a new store epoch) and vm 2 is gone by then
    store.close();
    store = VmStore.builder().build();
    store.initialize(List.of(TestVms.vm(1)));
    MockProducer<String, byte[]> again = producer(true);
    start(config(), again);
    await().atMost(WAIT).until(() -> publisher.status().resyncs() == 1);
    assertThat(on(again, "vminfo.vms"))
        .filteredOn(r -> r.key().equals(SERVER + "/" + TestVms.uuid(2)))
        .singleElement()
        .satisfies(r -> assertThat(r.value()).isNull());
    assertThat(FeedCheckpoint.read(dir.resolve("state/feed-checkpoint.json")).uuids())
        .containsExactly(TestVms.uuid(1));
  }

  private static String usageLine(String uuid, String ts) {
    return "{\"v\":1,\"type\":\"usage\",\"timestamp\":\""
        + ts
        + "\",\"server_uuid\":\""
        + SERVER
        + "\",\"uuid\":\""
        + uuid
        + "\",\"status\":\"running\"}\n";
  }

  private static String summary(String ts, int n) {
    return "{\"v\":1,\"type\":\"summary\",\"timestamp\":\""
        + ts
        + "\",\"server_uuid\":\""
        + SERVER
        + "\",\"vm_count\":"
        + n
        + ",\"runtime_ms\":3}\n";
  }

  private static String sample(String ts) {
    return usageLine(TestVms.uuid(1), ts) + usageLine(TestVms.uuid(2), ts) + summary(ts, 2);
  }

  private static void append(Path f, String s) throws Exception {
    Files.createDirectories(f.getParent());
    Files.writeString(
        f,
        s,
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  @Test
  void usageIsPublishedInWholeSamplesAcrossSealingAndRestartsWithoutRepeats() throws Exception {
    store = VmStore.builder().build();
    store.initialize(List.of());
    Path spool = dir.resolve("spool");
    Path h10 = spool.resolve("2026/11/22/10/" + SERVER + ".log");
    append(
        h10,
        sample("2026-11-22T10:01:00.000Z")
            + sample("2026-11-22T10:02:00.000Z")
            + usageLine(
                TestVms.uuid(1), "2026-11-22T10:03:00.000Z")); // a sample still being written
    MockProducer<String, byte[]> p = producer(true);
    start(config().withUsageSpool(spool), p);
    await().atMost(WAIT).until(() -> publisher.status().usageRecords() == 6);
    assertThat(on(p, "vminfo.usage"))
        .extracting(ProducerRecord::key)
        .contains(
            SERVER + "/" + TestVms.uuid(1) + "/2026-11-22T10:01:00.000Z",
            SERVER + "/summary/2026-11-22T10:02:00.000Z");

    append(
        h10,
        usageLine(TestVms.uuid(2), "2026-11-22T10:03:00.000Z")
            + summary("2026-11-22T10:03:00.000Z", 2));
    await().atMost(WAIT).until(() -> publisher.status().usageRecords() == 9);

    // Sealed as the recorder does: the .log.gz replaces the .log; then the next hour starts.
    byte[] plain = Files.readAllBytes(h10);
    try (GZIPOutputStream gz =
        new GZIPOutputStream(
            Files.newOutputStream(spool.resolve("2026/11/22/10/" + SERVER + ".log.gz")))) {
      gz.write(plain);
    }
    Files.delete(h10);
    append(spool.resolve("2026/11/22/11/" + SERVER + ".log"), sample("2026-11-22T11:00:00.000Z"));
    await().atMost(WAIT).until(() -> publisher.status().usageRecords() == 12);
    assertThat(publisher.status().usagePosition()).startsWith("2026/11/22/11/");
    publisher.close();

    append(spool.resolve("2026/11/22/11/" + SERVER + ".log"), sample("2026-11-22T11:01:00.000Z"));
    MockProducer<String, byte[]> again = producer(true);
    start(config().withUsageSpool(spool), again);
    await().atMost(WAIT).until(() -> publisher.status().usageRecords() == 3);
    assertThat(on(again, "vminfo.usage"))
        .extracting(ProducerRecord::key)
        .allMatch(k -> k.endsWith("/2026-11-22T11:01:00.000Z"));
    assertThat(publisher.status().usageFilesMissed()).isZero();
    List<String> all =
        new java.util.ArrayList<>(on(p, "vminfo.usage").stream().map(ProducerRecord::key).toList());
    all.addAll(on(again, "vminfo.usage").stream().map(ProducerRecord::key).toList());
    assertThat(all).hasSize(15).doesNotHaveDuplicates();
  }

  @Test
  void aFileGoneBeforeItWasReadToItsEndIsCountedAndReported() throws Exception {
    store = VmStore.builder().build();
    store.initialize(List.of());
    Path spool = dir.resolve("spool");
    Path h10 = spool.resolve("2026/11/22/10/" + SERVER + ".log");
    append(h10, sample("2026-11-22T10:01:00.000Z"));
    MockProducer<String, byte[]> p = producer(true);
    start(config().withUsageSpool(spool), p);
    await().atMost(WAIT).until(() -> publisher.status().usageRecords() == 3);
    Files.delete(h10); // dropped by the spool cap, say, before it was ever sealed
    append(spool.resolve("2026/11/22/11/" + SERVER + ".log"), sample("2026-11-22T11:00:00.000Z"));
    await().atMost(WAIT).until(() -> publisher.status().usageRecords() == 6);
    assertThat(publisher.status().usageFilesMissed()).isEqualTo(1);
    assertThat(publisher.status().lastError()).get().asString().contains("went away");
  }

  @Test
  void badConfigIsRefusedWithTheReason() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> FleetConfig.defaults("no-port", SERVER, dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host:port");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> FleetConfig.defaults("h:1", SERVER, dir).withTopics("a", "a", "b"))
        .hasMessageContaining("must differ");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> FleetConfig.defaults("h:1", SERVER, dir).withTopics("a b", "c", "d"))
        .hasMessageContaining("topic name");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> FleetConfig.defaults("h:1", SERVER, dir).withTopicLayout(-1, 0))
        .hasMessageContaining("topicPartitions");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> FleetConfig.defaults("h:1", SERVER, dir).withTopicLayout(6, 40_000))
        .hasMessageContaining("replicationFactor");
    assertThat(FleetConfig.defaults("h:1", SERVER, dir).withTopicLayout(24, 3).topicPartitions())
        .isEqualTo(24);
  }
}
