package io.vminfo.fleet;

import io.vminfo.core.time.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and what a {@link FleetPublisher} publishes.
 *
 * @param bootstrapServers Kafka bootstrap list, {@code host:port[,host:port...]}
 * @param clientId Kafka client id (shows in broker logs and quotas)
 * @param serverUuid this host's server uuid, added to every record
 * @param feedTopic feed events, key = VM uuid
 * @param vmsTopic compacted topic of current VMs, key = {@code server_uuid/uuid}, tombstone on
 *     delete
 * @param usageTopic usage records, key = {@code server_uuid/uuid/timestamp}
 * @param stateDir where the publisher keeps its checkpoints (created if missing)
 * @param usageSpool the usage recorder's spool to tail; empty = publish no usage
 * @param batchSize most records sent before waiting for their acknowledgements (bounds memory)
 * @param ackTimeout how long a batch may wait for its acknowledgements before it is sent again
 * @param retryBackoff pause after a failed batch (broker down) before trying again
 * @param pollInterval how often the usage spool is looked at for new lines
 * @param topicPartitions partitions of the topics the publisher creates when missing; 0 = the
 *     broker's {@code num.partitions}
 * @param replicationFactor replicas of the topics it creates; 0 = the broker's {@code
 *     default.replication.factor}
 */
public record FleetConfig(
    String bootstrapServers,
    String clientId,
    String serverUuid,
    String feedTopic,
    String vmsTopic,
    String usageTopic,
    Path stateDir,
    Optional<Path> usageSpool,
    int batchSize,
    Duration ackTimeout,
    Duration retryBackoff,
    Duration pollInterval,
    int topicPartitions,
    int replicationFactor) {

  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern SERVERS = Pattern.compile("[^\\s,]+:\\d{1,5}(,[^\\s,]+:\\d{1,5})*");

  public FleetConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (!SERVERS.matcher(bootstrapServers).matches()) {
      throw new IllegalArgumentException(
          "bootstrap servers must be host:port[,host:port...], got '" + bootstrapServers + "'");
    }
    requireText(clientId, "clientId");
    requireText(serverUuid, "serverUuid");
    requireTopic(feedTopic, "feedTopic");
    requireTopic(vmsTopic, "vmsTopic");
    requireTopic(usageTopic, "usageTopic");
    if (feedTopic.equals(vmsTopic) || feedTopic.equals(usageTopic) || vmsTopic.equals(usageTopic)) {
      throw new IllegalArgumentException("the feed, vms and usage topics must differ");
    }
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(usageSpool, "usageSpool");
    if (batchSize < 1 || batchSize > 100_000) {
      throw new IllegalArgumentException("batchSize must be 1..100000, got " + batchSize);
    }
    Durations.requirePositive(ackTimeout, "ackTimeout");
    Durations.requirePositive(retryBackoff, "retryBackoff");
    Durations.requirePositive(pollInterval, "pollInterval");
    if (topicPartitions < 0 || topicPartitions > 10_000) {
      throw new IllegalArgumentException(
          "topicPartitions must be 0 (broker default)..10000, got " + topicPartitions);
    }
    if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          "replicationFactor must be 0 (broker default)..32767, got " + replicationFactor);
    }
  }

  /**
   * Defaults: topics {@code vminfo.feed}, {@code vminfo.vms}, {@code vminfo.usage}; 1000 per batch.
   */
  public static FleetConfig defaults(String bootstrapServers, String serverUuid, Path stateDir) {
    return new FleetConfig(
        bootstrapServers,
        "vminfo-" + serverUuid,
        serverUuid,
        "vminfo.feed",
        "vminfo.vms",
        "vminfo.usage",
        stateDir,
        Optional.empty(),
        1000,
        Duration.ofSeconds(60),
        Duration.ofSeconds(2),
        Duration.ofSeconds(1),
        0,
        0);
  }

  public FleetConfig withUsageSpool(Path spool) {
    return new FleetConfig(
        bootstrapServers,
        clientId,
        serverUuid,
        feedTopic,
        vmsTopic,
        usageTopic,
        stateDir,
        Optional.of(spool),
        batchSize,
        ackTimeout,
        retryBackoff,
        pollInterval,
        topicPartitions,
        replicationFactor);
  }

  public FleetConfig withTopics(String feed, String vms, String usage) {
    return new FleetConfig(
        bootstrapServers,
        clientId,
        serverUuid,
        feed,
        vms,
        usage,
        stateDir,
        usageSpool,
        batchSize,
        ackTimeout,
        retryBackoff,
        pollInterval,
        topicPartitions,
        replicationFactor);
  }

  public FleetConfig withClientId(String id) {
    return new FleetConfig(
        bootstrapServers,
        id,
        serverUuid,
        feedTopic,
        vmsTopic,
        usageTopic,
        stateDir,
        usageSpool,
        batchSize,
        ackTimeout,
        retryBackoff,
        pollInterval,
        topicPartitions,
        replicationFactor);
  }

  public FleetConfig withTimings(Duration ack, Duration backoff, Duration poll) {
    return new FleetConfig(
        bootstrapServers,
        clientId,
        serverUuid,
        feedTopic,
        vmsTopic,
        usageTopic,
        stateDir,
        usageSpool,
        batchSize,
        ack,
        backoff,
        poll,
        topicPartitions,
        replicationFactor);
  }

  /** Partitions and replicas of the topics created when missing (0 = the broker's default). */
  public FleetConfig withTopicLayout(int partitions, int replicas) {
    return new FleetConfig(
        bootstrapServers,
        clientId,
        serverUuid,
        feedTopic,
        vmsTopic,
        usageTopic,
        stateDir,
        usageSpool,
        batchSize,
        ackTimeout,
        retryBackoff,
        pollInterval,
        partitions,
        replicas);
  }

  private static void requireText(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }

  private static void requireTopic(String t, String name) {
    Objects.requireNonNull(t, name);
    if (!TOPIC.matcher(t).matches() || t.equals(".") || t.equals("..")) {
      throw new IllegalArgumentException(name + " is not a valid Kafka topic name: '" + t + "'");
    }
  }
}
