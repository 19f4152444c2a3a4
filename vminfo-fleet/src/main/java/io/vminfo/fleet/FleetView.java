package io.vminfo.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as the publishers put it in Kafka: which host runs VM X, which VMs are in a state
 * across hosts ({@link #refresh} reads the compacted VM topic to its end), and fleet-wide events
 * ({@link #follow}, a plain consumer group on the feed topic, so followers scale out as Kafka
 * does). Not thread-safe for concurrent refresh; queries may run from any thread.
 */
public final class FleetView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetView.class);
  // the hardened reader (nesting, string and number limits): records from other hosts and files
  // on disk are input like any other
  private static final ObjectMapper JSON = Json.MAPPER;

  private final String bootstrapServers;
  private final String vmsTopic;
  private final String feedTopic;
  // KafkaConsumer::new, or a MockConsumer in unit tests
  private final Function<Properties, org.apache.kafka.clients.consumer.Consumer<String, byte[]>>
      consumers;
  private final Map<String, FleetVm> byKey = new HashMap<>();
  private org.apache.kafka.clients.consumer.Consumer<String, byte[]> vms;
  private long badRecords;

  public FleetView(String bootstrapServers, String vmsTopic, String feedTopic) {
    this(bootstrapServers, vmsTopic, feedTopic, KafkaConsumer::new);
  }

  FleetView(
      String bootstrapServers,
      String vmsTopic,
      String feedTopic,
      Function<Properties, org.apache.kafka.clients.consumer.Consumer<String, byte[]>> consumers) {
    this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
    this.vmsTopic = requireText(vmsTopic, "vmsTopic");
    this.feedTopic = requireText(feedTopic, "feedTopic");
    this.consumers = Objects.requireNonNull(consumers, "consumers");
  }

  /** Defaults of {@link FleetConfig#defaults}. */
  public static FleetView withDefaultTopics(String bootstrapServers) {
    return new FleetView(bootstrapServers, "vminfo.vms", "vminfo.feed");
  }

  private Properties common() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    return p;
  }

  /**
   * Reads the VM topic up to the end offsets it has now (from the beginning the first time, then on
   * from where the last refresh stopped), waiting at most {@code timeout}.
   *
   * @throws IllegalStateException when the VM topic does not exist
   * @throws org.apache.kafka.common.errors.TimeoutException when the broker does not answer
   */
  public synchronized void refresh(Duration timeout) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (vms == null) {
      org.apache.kafka.clients.consumer.Consumer<String, byte[]> c = consumers.apply(common());
      List<PartitionInfo> parts;
      try {
        parts = c.partitionsFor(vmsTopic, timeout);
      } catch (RuntimeException e) {
        c.close(CloseOptions.timeout(Duration.ZERO));
        throw e;
      }
      if (parts == null || parts.isEmpty()) {
        c.close(CloseOptions.timeout(Duration.ZERO));
        // an empty view would read as "no VMs in the fleet"; a missing topic is another answer
        throw new IllegalStateException(
            "the VM topic "
                + vmsTopic
                + " does not exist on "
                + bootstrapServers
                + " (no publisher has created it yet, or another fleet.vms_topic)");
      }
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : parts) {
        tps.add(new TopicPartition(pi.topic(), pi.partition()));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      vms = c;
    }
    Map<TopicPartition, Long> end = vms.endOffsets(vms.assignment(), remaining(deadline));
    while (!caughtUp(end)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "the VM topic " + vmsTopic + " was not read to its end within " + timeout);
      }
      for (ConsumerRecord<String, byte[]> r : vms.poll(Duration.ofMillis(200))) {
        apply(r);
      }
    }
  }

  private boolean caughtUp(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (vms.position(e.getKey(), Duration.ofSeconds(15)) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      badRecords++;
      return;
    }
    if (r.value() == null) {
      byKey.remove(r.key());
      return;
    }
    try {
      JsonNode n = JSON.readTree(r.value());
      JsonNode vm = n.path("vm");
      if (!vm.isObject() || !vm.path("uuid").isTextual() || !n.path("server_uuid").isTextual()) {
        throw new IOException("no vm object, vm.uuid or server_uuid");
      }
      byKey.put(
          r.key(),
          new FleetVm(
              n.get("server_uuid").asText(),
              vm.get("uuid").asText(),
              n.path("epoch").asText(""),
              n.path("rev").asLong(0),
              vm));
    } catch (IOException e) {
      badRecords++;
      log.warn(
          "{} offset {} (key {}) is not a VM record, skipped: {}",
          r.topic(),
          r.offset(),
          r.key(),
          e.getMessage());
    }
  }

  /** Every VM of the fleet, by server then uuid. */
  public synchronized List<FleetVm> all() {
    List<FleetVm> l = new ArrayList<>(byKey.values());
    l.sort(Comparator.comparing(FleetVm::serverUuid).thenComparing(FleetVm::uuid));
    return l;
  }

  /**
   * The hosts that run VM {@code uuid}: one normally, none when unknown, two for the moment a
   * migrated VM is on both until the old host's delete arrives.
   */
  public synchronized List<String> hostsOf(String uuid) {
    return all().stream().filter(v -> v.uuid().equals(uuid)).map(FleetVm::serverUuid).toList();
  }

  /** The VMs in {@code state} (e.g. {@code failed}) across hosts. */
  public synchronized List<FleetVm> withState(String state) {
    return all().stream().filter(v -> v.state().filter(state::equals).isPresent()).toList();
  }

  /** VM count per host. */
  public synchronized Map<String, Integer> countsByHost() {
    Map<String, Integer> m = new TreeMap<>();
    byKey.values().forEach(v -> m.merge(v.serverUuid(), 1, Integer::sum));
    return m;
  }

  /** Records of the VM topic that were not VM records (skipped). */
  public synchronized long badRecords() {
    return badRecords;
  }

  /**
   * Follows the feed topic as member of consumer group {@code groupId} (offsets committed after
   * {@code handler} returns, so a crash repeats events, never skips them), until {@code keepGoing}
   * says stop; it is asked after every event and at least every {@code pollTimeout}, and a stop in
   * the middle of a batch commits only the events handled.
   */
  public void follow(
      String groupId,
      Duration pollTimeout,
      BooleanSupplier keepGoing,
      Consumer<FleetEvent> handler) {
    Properties p = common();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, requireText(groupId, "groupId"));
    try (org.apache.kafka.clients.consumer.Consumer<String, byte[]> c = consumers.apply(p)) {
      c.subscribe(List.of(feedTopic));
      boolean go = keepGoing.getAsBoolean();
      while (go) {
        Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : c.poll(pollTimeout)) {
          FleetEvent e = event(r);
          if (e != null) {
            handler.accept(e);
          }
          handled.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          // asked after every event: a stop within a batch commits only what was handled
          go = keepGoing.getAsBoolean();
          if (!go) {
            break;
          }
        }
        if (!handled.isEmpty()) {
          c.commitSync(handled, Duration.ofSeconds(15));
        }
        go = go && keepGoing.getAsBoolean();
      }
    }
  }

  static FleetEvent event(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(r.value());
      return new FleetEvent(
          n.path("type").asText(""),
          n.path("server_uuid").asText(""),
          n.path("uuid").asText(""),
          n.path("epoch").asText(""),
          n.path("rev").asLong(0),
          n);
    } catch (IOException e) {
      log.warn(
          "{} offset {} is not a feed line, skipped: {}", r.topic(), r.offset(), e.getMessage());
      return null;
    }
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  private static String requireText(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return s;
  }

  @Override
  public synchronized void close() {
    if (vms != null) {
      vms.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }
}
