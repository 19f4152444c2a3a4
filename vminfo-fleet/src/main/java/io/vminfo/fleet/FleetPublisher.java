package io.vminfo.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.SubscribeRequest;
import io.vminfo.core.Subscription;
import io.vminfo.core.SubscriptionStart;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmEventType;
import io.vminfo.core.VmStore;
import io.vminfo.core.internal.Json;
import io.vminfo.fleet.internal.FeedCheckpoint;
import io.vminfo.fleet.internal.SpoolFileKey;
import io.vminfo.fleet.internal.SpoolReader;
import io.vminfo.fleet.internal.TopicSetup;
import io.vminfo.fleet.internal.UsagePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one host to Kafka: every feed event (topic {@code feedTopic}, key = VM uuid, value =
 * the feed line plus {@code server_uuid} and {@code epoch}), the current VM objects (compacted
 * topic {@code vmsTopic}, key = {@code server_uuid/uuid}, a tombstone on delete) and the usage
 * records of the spool (topic {@code usageTopic}, key = {@code server_uuid/uuid/timestamp}).
 *
 * <p>At least once, never a silent gap: records go out in batches on an idempotent producer ({@code
 * acks=all}); only when every record of a batch is acknowledged is the position checkpointed
 * (atomic write + fsync under {@code stateDir}). A failed batch (broker down, timeout) is sent
 * again from the checkpoint after {@code retryBackoff}: the feed resumes from the store's history,
 * or, when that is gone or the agent restarted (another epoch), publishes the full snapshot (a
 * resync: every VM, tombstones for VMs gone since the checkpoint, and a {@code resync} line on the
 * feed topic). Usage waits in the spool, which is the buffer; at most one batch is held in memory.
 */
public final class FleetPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetPublisher.class);
  // the hardened reader (nesting, string and number limits): records from other hosts and files
  // on disk are input like any other
  private static final ObjectMapper JSON = Json.MAPPER;
  static final String FEED_CHECKPOINT = "feed-checkpoint.json";
  static final String USAGE_POSITION = "usage-position.json";

  private final FleetConfig config;
  private final VmStore store;
  private final Function<Map<String, Object>, Producer<String, byte[]>> producers;
  private final Path feedCheckpointFile;
  private final Path usagePositionFile;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong feedRecords = new AtomicLong();
  private final AtomicLong usageRecords = new AtomicLong();
  private final AtomicLong resyncs = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong usageFilesMissed = new AtomicLong();
  private volatile Producer<String, byte[]> producer;
  private volatile boolean connected;
  private volatile FeedCheckpoint acked = FeedCheckpoint.none();
  private volatile UsagePosition usageAcked = UsagePosition.start();
  private volatile String lastError = "";
  private volatile Instant lastAck;
  private volatile boolean started;
  private final Topics topics;
  private boolean topicsReady;

  /** Whether the usage position's file was seen sealed and read to its end (usage thread only). */
  private boolean positionFileComplete;

  /**
   * A publisher using the real Kafka producer; it creates its topics when missing (the VM topic
   * compacted) before the first send.
   */
  public FleetPublisher(FleetConfig config, VmStore store) {
    this(
        config,
        store,
        props -> new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer()),
        null);
  }

  /**
   * With another producer factory (tests: a {@code MockProducer} at the Kafka boundary); the topics
   * are taken to exist.
   */
  public FleetPublisher(
      FleetConfig config,
      VmStore store,
      Function<Map<String, Object>, Producer<String, byte[]>> producers) {
    this(config, store, producers, () -> {});
  }

  private FleetPublisher(
      FleetConfig config,
      VmStore store,
      Function<Map<String, Object>, Producer<String, byte[]>> producers,
      Topics topics) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = Objects.requireNonNull(store, "store");
    this.producers = Objects.requireNonNull(producers, "producers");
    this.feedCheckpointFile = config.stateDir().resolve(FEED_CHECKPOINT);
    this.usagePositionFile = config.stateDir().resolve(USAGE_POSITION);
    this.topics = topics != null ? topics : this::createTopics;
  }

  private void createTopics() throws IOException {
    Map<String, Object> p = new HashMap<>();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, config.clientId() + "-admin");
    int ack = (int) Math.min(config.ackTimeout().toMillis(), Integer.MAX_VALUE);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ack, 30_000));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ack);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
    Admin admin = Admin.create(p);
    try {
      new TopicSetup(config.topicPartitions(), config.replicationFactor())
          .ensure(
              admin,
              config.feedTopic(),
              config.vmsTopic(),
              config.usageTopic(),
              config.ackTimeout());
    } finally {
      // Admin.close() alone waits without a bound for requests still in flight
      admin.close(Duration.ofSeconds(5));
    }
  }

  /** Once per publisher, from whichever thread sends first; a failure is retried like a send. */
  private synchronized void ensureTopics() throws PublishException {
    if (topicsReady) {
      return;
    }
    try {
      topics.ensure();
    } catch (IOException e) {
      throw new PublishException("topics: " + e.getMessage(), e);
    }
    topicsReady = true;
  }

  /**
   * Creates or checks the topics (an Admin client in production, nothing in MockProducer tests).
   */
  private interface Topics {
    void ensure() throws IOException;
  }

  /** The producer settings: idempotent, every replica acknowledges, bounded waits. */
  public Map<String, Object> producerProperties() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    long ack = config.ackTimeout().toMillis();
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(ack / 2, 30_000));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ack);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(ack, 10_000));
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
    return p;
  }

  /** Starts the feed thread (and the usage thread when a spool is configured). */
  public synchronized void start() throws IOException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    java.nio.file.Files.createDirectories(config.stateDir());
    acked = readCheckpoint();
    if (config.usageSpool().isPresent()) {
      try {
        usageAcked = UsagePosition.read(usagePositionFile);
      } catch (FeedCheckpoint.CorruptCheckpointException e) {
        log.warn("{}; the usage spool is published again from its oldest file", e.getMessage());
        usageAcked = UsagePosition.start();
      }
    }
    producer = producers.apply(producerProperties());
    threads.add(thread("fleet-feed", this::feedLoop));
    config.usageSpool().ifPresent(s -> threads.add(thread("fleet-usage", () -> usageLoop(s))));
    threads.forEach(Thread::start);
    log.info(
        "fleet publisher to {} started (feed from {} rev {}, usage from {})",
        config.bootstrapServers(),
        acked.epochIfAny().orElse("a snapshot"),
        acked.rev(),
        usageAcked);
  }

  private FeedCheckpoint readCheckpoint() throws IOException {
    try {
      return FeedCheckpoint.read(feedCheckpointFile);
    } catch (FeedCheckpoint.CorruptCheckpointException e) {
      log.warn("{}; the next publish is a full resync", e.getMessage());
      return FeedCheckpoint.none();
    }
  }

  private Thread thread(String name, Runnable body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (RuntimeException e) {
                log.error("{} stopped on an unexpected error", name, e);
                lastError = e.toString();
              }
            },
            name);
    t.setDaemon(true);
    return t;
  }

  public FleetStatus status() {
    FeedCheckpoint a = acked;
    long rev = store.revision();
    long lag = a.epoch().equals(store.epoch()) ? Math.max(0, rev - a.rev()) : rev;
    return new FleetStatus(
        connected,
        a.epoch(),
        a.rev(),
        lag,
        feedRecords.get(),
        resyncs.get(),
        usageRecords.get(),
        usageAcked.toString(),
        usageFilesMissed.get(),
        failures.get(),
        lastError.isEmpty() ? Optional.empty() : Optional.of(lastError),
        Optional.ofNullable(lastAck));
  }

  private boolean running() {
    return stopped.getCount() > 0;
  }

  private boolean pause(Duration d) {
    try {
      return !stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // ---- feed ----

  private void feedLoop() {
    while (running()) {
      FeedCheckpoint from = acked;
      SubscribeRequest req = SubscribeRequest.all().describedAs("fleet publisher");
      if (from.epoch().equals(store.epoch())) {
        req = req.resumingAfter(from.rev(), from.epoch());
      }
      try {
        ensureTopics();
      } catch (PublishException e) {
        failed(e);
        pause(config.retryBackoff());
        continue;
      }
      try (Subscription sub = store.subscribe(req)) {
        Set<String> known = new TreeSet<>(from.uuids());
        if (sub.start() instanceof SubscriptionStart.Snapshot snap) {
          publishSnapshot(snap, from, known);
        }
        while (running()) {
          Optional<VmEvent> first = sub.poll(config.pollInterval());
          if (first.isEmpty()) {
            if (sub.state() != Subscription.State.OPEN) {
              log.info(
                  "fleet feed subscription ended ({}); resuming from rev {}",
                  sub.endReason().orElse("?"),
                  acked.rev());
              break;
            }
            continue;
          }
          List<VmEvent> batch = new ArrayList<>();
          batch.add(first.get());
          batch.addAll(sub.drain(config.batchSize() - 1));
          publishEvents(batch, known);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (PublishException e) {
        failed(e);
        pause(config.retryBackoff());
      }
    }
  }

  private void publishSnapshot(
      SubscriptionStart.Snapshot snap, FeedCheckpoint from, Set<String> known)
      throws PublishException {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    Set<String> now = new TreeSet<>();
    for (Vm vm : snap.vms()) {
      now.add(vm.uuid());
      records.add(vmRecord(vm, snap.rev()));
    }
    for (String gone : known) {
      if (!now.contains(gone)) {
        records.add(
            new ProducerRecord<>(config.vmsTopic(), config.serverUuid() + "/" + gone, null));
      }
    }
    ObjectNode marker = JSON.createObjectNode();
    marker.put("type", "resync");
    marker.put("date", Instant.now().toString());
    marker.put("rev", snap.rev());
    marker.put("epoch", store.epoch());
    marker.put("server_uuid", config.serverUuid());
    marker.put("vm_count", now.size());
    marker.put(
        "reason",
        snap.resyncReason().orElse(from.epoch().isEmpty() ? "first publish" : "new agent run"));
    records.add(new ProducerRecord<>(config.feedTopic(), config.serverUuid(), bytes(marker)));
    recordMaybePublished(now, known);
    for (int i = 0; i < records.size(); i += config.batchSize()) {
      sendAll(records.subList(i, Math.min(records.size(), i + config.batchSize())));
    }
    known.clear();
    known.addAll(now);
    checkpoint(new FeedCheckpoint(store.epoch(), snap.rev(), known));
    resyncs.incrementAndGet();
    log.info(
        "fleet resync published: {} VMs at rev {} ({} tombstones)",
        now.size(),
        snap.rev(),
        records.size() - now.size() - 1);
  }

  private void publishEvents(List<VmEvent> batch, Set<String> known) throws PublishException {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(batch.size() * 2);
    for (VmEvent e : batch) {
      ObjectNode line;
      try {
        line = (ObjectNode) JSON.readTree(e.line());
      } catch (IOException ex) {
        throw new IllegalStateException("the store made a feed line that is not JSON", ex);
      }
      line.put("server_uuid", config.serverUuid());
      line.put("epoch", store.epoch());
      records.add(new ProducerRecord<>(config.feedTopic(), e.uuid(), bytes(line)));
      if (e.type() == VmEventType.DELETE) {
        records.add(
            new ProducerRecord<>(config.vmsTopic(), config.serverUuid() + "/" + e.uuid(), null));
      } else {
        records.add(vmRecord(e.vm().orElseThrow(), e.rev()));
      }
    }
    Set<String> written = new TreeSet<>();
    for (VmEvent e : batch) {
      if (e.type() != VmEventType.DELETE) {
        written.add(e.uuid());
      }
    }
    recordMaybePublished(written, known);
    sendAll(records);
    for (VmEvent e : batch) {
      if (e.type() == VmEventType.DELETE) {
        known.remove(e.uuid());
      } else {
        known.add(e.uuid());
      }
    }
    feedRecords.addAndGet(batch.size());
    checkpoint(new FeedCheckpoint(store.epoch(), batch.get(batch.size() - 1).rev(), known));
  }

  /**
   * Makes {@code uuids} part of the known set, durably, before their records go out. A send the
   * broker does not acknowledge in time may still be delivered later (the producer keeps retrying
   * it), and an agent killed mid-send may have delivered some of a batch: a VM whose record may be
   * in the topic must get a tombstone from the next resync if it is gone by then, or the fleet view
   * keeps it forever. The position stays where the broker last acknowledged it.
   */
  private void recordMaybePublished(Set<String> uuids, Set<String> known) throws PublishException {
    if (known.containsAll(uuids)) {
      return;
    }
    known.addAll(uuids);
    FeedCheckpoint a = acked;
    checkpoint(new FeedCheckpoint(a.epoch(), a.rev(), known));
  }

  private ProducerRecord<String, byte[]> vmRecord(Vm vm, long rev) {
    ObjectNode n = JSON.createObjectNode();
    n.put("server_uuid", config.serverUuid());
    n.put("epoch", store.epoch());
    n.put("rev", rev);
    n.set("vm", vm.toJson());
    return new ProducerRecord<>(config.vmsTopic(), config.serverUuid() + "/" + vm.uuid(), bytes(n));
  }

  private void checkpoint(FeedCheckpoint c) throws PublishException {
    try {
      c.write(feedCheckpointFile);
    } catch (IOException e) {
      // Published but not recorded: the next attempt republishes (duplicates, never a gap).
      throw new PublishException("cannot write " + feedCheckpointFile + ": " + e, e);
    }
    acked = c;
  }

  // ---- usage ----

  private void usageLoop(Path spool) {
    SpoolReader reader = new SpoolReader(spool, config.serverUuid(), 16 << 20);
    while (running()) {
      try {
        if (!usageRound(reader)) {
          pause(config.pollInterval());
        }
      } catch (PublishException e) {
        failed(e);
        pause(config.retryBackoff());
      } catch (IOException e) {
        lastError = "usage spool: " + e;
        log.warn("cannot read the usage spool {}: {}", spool, e.toString());
        pause(config.retryBackoff());
      }
    }
  }

  /** Publishes what is there; true when it did something and should go on at once. */
  private boolean usageRound(SpoolReader reader) throws IOException, PublishException {
    ensureTopics();
    UsagePosition pos = usageAcked;
    List<SpoolFileKey> files = reader.files();
    SpoolFileKey current = null;
    for (SpoolFileKey k : files) {
      if (k.compareTo(pos.file()) >= 0) {
        current = k;
        break;
      }
    }
    if (current == null) {
      return false;
    }
    boolean samefile = current.equals(pos.file());
    if (!samefile
        && !pos.file().equals(SpoolFileKey.FIRST)
        && !files.contains(pos.file())
        && !positionFileComplete) {
      // Gone (uploaded and deleted, or dropped by the spool cap) before we saw it sealed and read
      // to its end: samples may be missing from the topic. Loud, counted, never silent.
      usageFilesMissed.incrementAndGet();
      lastError =
          "usage file " + pos.file().relative() + " went away before it was read to its end";
      log.warn(
          "{} (read to byte {}); set usage.retention so sealed files outlive a broker outage",
          lastError,
          pos.offset());
    }
    long offset = samefile ? pos.offset() : 0;
    SpoolReader.Chunk chunk = reader.read(current, offset, pos.lastTimestamp());
    if (!chunk.exists()) {
      return false;
    }
    boolean newer = files.indexOf(current) < files.size() - 1;
    if (!chunk.lines().isEmpty()) {
      List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
      for (SpoolReader.Line l : chunk.lines()) {
        records.add(new ProducerRecord<>(config.usageTopic(), l.key(), l.value()));
      }
      for (int i = 0; i < records.size(); i += config.batchSize()) {
        sendAll(records.subList(i, Math.min(records.size(), i + config.batchSize())));
      }
      usageRecords.addAndGet(records.size());
    }
    UsagePosition next = new UsagePosition(current, chunk.endOffset(), chunk.lastTimestamp());
    // A file is done when sealed or when the recorder has moved on to a later one; only its
    // complete samples count, so a later file's existence is what says no more are coming.
    boolean done = chunk.atEnd() && (chunk.sealed() || newer);
    positionFileComplete = chunk.atEnd() && chunk.sealed();
    if (done && newer) {
      next = new UsagePosition(files.get(files.indexOf(current) + 1), 0, chunk.lastTimestamp());
      positionFileComplete = false;
    }
    if (!next.equals(pos)) {
      writeUsage(next);
      return true;
    }
    return !chunk.atEnd();
  }

  private void writeUsage(UsagePosition p) throws PublishException {
    try {
      p.write(usagePositionFile);
    } catch (IOException e) {
      throw new PublishException("cannot write " + usagePositionFile + ": " + e, e);
    }
    usageAcked = p;
  }

  // ---- sending ----

  private void sendAll(List<ProducerRecord<String, byte[]>> records) throws PublishException {
    Producer<String, byte[]> p = producer;
    List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
    try {
      for (ProducerRecord<String, byte[]> r : records) {
        acks.add(p.send(r));
      }
      long deadline =
          System.nanoTime() + config.ackTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
      for (Future<RecordMetadata> f : acks) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      throw new PublishException("broker did not acknowledge: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new PublishException("no acknowledgement within " + config.ackTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted", e);
    } catch (RuntimeException e) {
      throw new PublishException("send failed: " + e, e);
    }
    connected = true;
    lastAck = Instant.now();
  }

  private void failed(PublishException e) {
    if (!running()) {
      // stop() interrupts the threads, which can cut a send or a checkpoint write short: the old
      // checkpoint stands (the write is atomic), so the next run repeats that batch; not a failure
      log.debug("fleet publisher stopped during a batch: {}", e.getMessage());
      return;
    }
    failures.incrementAndGet();
    if (connected || !e.getMessage().equals(lastError)) {
      log.warn("fleet publish failed, sending again from the checkpoint: {}", e.getMessage());
    }
    connected = false;
    lastError = e.getMessage();
  }

  private static byte[] bytes(ObjectNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops both threads and closes the producer, waiting up to {@code timeout}. */
  public void stop(Duration timeout) {
    stopped.countDown();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      t.interrupt();
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Producer<String, byte[]> p = producer;
    if (p != null) {
      p.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  /** A batch that was not acknowledged: sent again from the checkpoint. */
  static final class PublishException extends Exception {
    PublishException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
