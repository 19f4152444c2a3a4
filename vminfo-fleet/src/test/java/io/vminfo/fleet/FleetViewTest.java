package io.vminfo.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The fleet view's reading of the two topics, over Kafka's own MockConsumer (the broker is the
 * boundary; FleetKafkaIT runs the same view against a real broker).
 */
class FleetViewTest {
  private static final String VMS = "vminfo.vms";
  private static final String FEED = "vminfo.feed";
  private static final TopicPartition VMS_0 = new TopicPartition(VMS, 0);
  private static final TopicPartition FEED_0 = new TopicPartition(FEED, 0);

  private final MockConsumer<String, byte[]> vms = new MockConsumer<>("earliest");
  private final Map<TopicPartition, Long> committed = new java.util.HashMap<>();
  // records its commits: a MockConsumer answers nothing once closed, and follow closes it
  private final MockConsumer<String, byte[]> feed =
      new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(
            Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
          super.commitSync(offsets, timeout);
          offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
        }
      };
  private final List<String> groups = new ArrayList<>();

  /** The view's consumers: with a group id the feed follower, without it the VM topic reader. */
  private FleetView view() {
    return new FleetView(
        "broker:9092",
        VMS,
        FEED,
        props -> {
          Object group = props.get(ConsumerConfig.GROUP_ID_CONFIG);
          if (group == null) {
            return vms;
          }
          groups.add(group.toString());
          return feed;
        });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] vmRecord(String server, String uuid, String state, long rev) {
    return utf8(
        "{\"server_uuid\":\""
            + server
            + "\",\"epoch\":\"e1\",\"rev\":"
            + rev
            + ",\"vm\":{\"uuid\":\""
            + uuid
            + "\",\"state\":\""
            + state
            + "\",\"alias\":\"web\"}}");
  }

  private void vmTopicWithOnePartitionEndingAt(long end) {
    vms.updatePartitions(VMS, List.of(new PartitionInfo(VMS, 0, null, null, null)));
    vms.updateBeginningOffsets(Map.of(VMS_0, 0L));
    vms.updateEndOffsets(Map.of(VMS_0, end));
  }

  @Test
  void refreshReadsTheVmTopicToItsEndSkippingWhatIsNotAVmRecord() throws Exception {
    vmTopicWithOnePartitionEndingAt(5);
    vms.schedulePollTask(
        () -> {
          vms.addRecord(new ConsumerRecord<>(VMS, 0, 0, "s1/A", vmRecord("s1", "A", "running", 3)));
          vms.addRecord(new ConsumerRecord<>(VMS, 0, 1, "s2/A", vmRecord("s2", "A", "running", 1)));
          vms.addRecord(new ConsumerRecord<>(VMS, 0, 2, "s1/B", vmRecord("s1", "B", "failed", 4)));
          vms.addRecord(new ConsumerRecord<>(VMS, 0, 3, null, vmRecord("s1", "C", "running", 5)));
          vms.addRecord(new ConsumerRecord<>(VMS, 0, 4, "s1/D", utf8("{\"vm\":\"not an object\"")));
        });
    try (FleetView view = view()) {
      view.refresh(Duration.ofSeconds(5));

      assertThat(view.all())
          .extracting(v -> v.serverUuid() + "/" + v.uuid() + "@" + v.rev())
          .containsExactly("s1/A@3", "s1/B@4", "s2/A@1");
      assertThat(view.hostsOf("A")).as("a migrating VM on both hosts").containsExactly("s1", "s2");
      assertThat(view.hostsOf("Z")).isEmpty();
      assertThat(view.withState("failed")).extracting(FleetVm::uuid).containsExactly("B");
      assertThat(view.countsByHost()).isEqualTo(Map.of("s1", 2, "s2", 1));
      assertThat(view.badRecords()).as("no key, and not a VM record").isEqualTo(2);
      assertThat(view.all().get(0).alias()).hasValue("web");
    }
    assertThat(vms.closed()).isTrue();
  }

  @Test
  void aLaterRefreshGoesOnFromWhereTheLastStoppedAndATombstoneRemovesTheVm() throws Exception {
    vmTopicWithOnePartitionEndingAt(2);
    vms.schedulePollTask(
        () -> {
          vms.addRecord(new ConsumerRecord<>(VMS, 0, 0, "s1/A", vmRecord("s1", "A", "running", 3)));
          vms.addRecord(new ConsumerRecord<>(VMS, 0, 1, "s2/A", vmRecord("s2", "A", "running", 1)));
        });
    try (FleetView view = view()) {
      view.refresh(Duration.ofSeconds(5));
      assertThat(view.hostsOf("A")).containsExactly("s1", "s2");

      // the old host's delete: a tombstone for its key
      vms.updateEndOffsets(Map.of(VMS_0, 3L));
      vms.schedulePollTask(() -> vms.addRecord(new ConsumerRecord<>(VMS, 0, 2, "s1/A", null)));
      view.refresh(Duration.ofSeconds(5));

      assertThat(view.hostsOf("A")).containsExactly("s2");
      assertThat(view.badRecords()).isZero();
    }
  }

  @Test
  void aMissingVmTopicIsAnErrorNotAnEmptyFleet() {
    try (FleetView view = view()) {
      assertThatThrownBy(() -> view.refresh(Duration.ofSeconds(5)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the VM topic vminfo.vms does not exist on broker:9092");
    }
    assertThat(vms.closed()).as("the consumer of the failed refresh").isTrue();
  }

  @Test
  void aTopicThatCannotBeReadToItsEndInTimeIsATimeout() {
    vmTopicWithOnePartitionEndingAt(10); // ten records announced, none ever arrives
    try (FleetView view = view()) {
      assertThatThrownBy(() -> view.refresh(Duration.ofMillis(300)))
          .isInstanceOf(TimeoutException.class)
          .hasMessageContaining("was not read to its end within PT0.3S");
    }
  }

  @Test
  void followHandsOutFeedEventsAndCommitsOnlyWhatWasHandled() {
    feed.schedulePollTask(
        () -> {
          feed.rebalance(List.of(FEED_0));
          feed.updateBeginningOffsets(Map.of(FEED_0, 0L));
          feed.addRecord(
              new ConsumerRecord<>(
                  FEED,
                  0,
                  0,
                  "s1",
                  utf8(
                      "{\"type\":\"create\",\"server_uuid\":\"s1\",\"uuid\":\"A\",\"epoch\":\"e1\","
                          + "\"rev\":7}")));
          feed.addRecord(new ConsumerRecord<>(FEED, 0, 1, "s1", utf8("not json")));
          feed.addRecord(
              new ConsumerRecord<>(
                  FEED,
                  0,
                  2,
                  "s1",
                  utf8("{\"type\":\"delete\",\"server_uuid\":\"s1\",\"uuid\":\"B\",\"rev\":8}")));
          feed.addRecord(
              new ConsumerRecord<>(
                  FEED, 0, 3, "s1", utf8("{\"type\":\"modify\",\"uuid\":\"C\",\"rev\":9}")));
        });
    List<FleetEvent> seen = new ArrayList<>();
    AtomicInteger asked = new AtomicInteger();
    try (FleetView view = view()) {
      view.follow(
          "ops-dashboard",
          Duration.ofMillis(10),
          // go on until two events were handled: the stop falls in the middle of the batch
          () -> asked.incrementAndGet() < 100 && seen.size() < 2,
          seen::add);
    }

    assertThat(groups).containsExactly("ops-dashboard");
    assertThat(seen)
        .extracting(e -> e.type() + " " + e.serverUuid() + "/" + e.uuid() + "@" + e.rev())
        .containsExactly("create s1/A@7", "delete s1/B@8");
    assertThat(seen.get(0).epoch()).isEqualTo("e1");
    // offsets 0-2 handled (1 skipped as not a feed line); 3 was never handed out
    assertThat(committed).isEqualTo(Map.of(FEED_0, 3L));
    assertThat(feed.closed()).isTrue();
  }
}
