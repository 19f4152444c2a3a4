package io.vminfo.fleet.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the publisher's topics exist before it sends (brokers usually run with {@code
 * auto.create.topics.enable=false}, and an auto-created VM topic would not be compacted): creates
 * the missing ones, the VM topic with {@code cleanup.policy=compact}, and refuses a VM topic that
 * exists without compaction, since deleted VMs would then come back after retention and current
 * ones vanish.
 */
public final class TopicSetup {
  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

  private final int partitions;
  private final int replicationFactor;

  /** 0 = the broker's default for either. */
  public TopicSetup(int partitions, int replicationFactor) {
    if (partitions < 0 || replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          "partitions and replicationFactor must be >= 0 (0 = broker default)");
    }
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
  }

  /**
   * The topics to create for {@code feed}, {@code vms} (compacted) and {@code usage}, in that
   * order.
   */
  public List<NewTopic> topics(String feed, String vms, String usage) {
    List<NewTopic> l = new ArrayList<>();
    for (String t : List.of(feed, vms, usage)) {
      NewTopic n =
          new NewTopic(
              t,
              partitions == 0 ? Optional.empty() : Optional.of(partitions),
              replicationFactor == 0 ? Optional.empty() : Optional.of((short) replicationFactor));
      if (t.equals(vms)) {
        n.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      }
      l.add(n);
    }
    return l;
  }

  /**
   * Creates what is missing of {@code topics(feed, vms, usage)} and checks that {@code vms} is
   * compacted; an IOException says which topic and why (no permission, too few brokers for the
   * replication factor, not compacted, broker unreachable within {@code timeout}).
   */
  public void ensure(Admin admin, String feed, String vms, String usage, Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> existing = get(admin.listTopics().names(), deadline, "list the topics");
    List<NewTopic> missing =
        topics(feed, vms, usage).stream().filter(t -> !existing.contains(t.name())).toList();
    if (!missing.isEmpty()) {
      Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
      for (Map.Entry<String, KafkaFuture<Void>> e : new LinkedHashMap<>(results).entrySet()) {
        try {
          get(e.getValue(), deadline, "create topic " + e.getKey());
          log.info("created Kafka topic {}", e.getKey());
        } catch (TopicAlreadyThere another) {
          log.debug("topic {} was created meanwhile by another host", e.getKey());
        }
      }
    }
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, vms);
    Map<ConfigResource, Config> configs =
        get(admin.describeConfigs(List.of(r)).all(), deadline, "describe topic " + vms);
    ConfigEntry policy = configs.get(r).get(TopicConfig.CLEANUP_POLICY_CONFIG);
    String value = policy == null || policy.value() == null ? "delete" : policy.value();
    if (!List.of(value.split(",")).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      throw new IOException(
          "the VM topic "
              + vms
              + " exists with cleanup.policy="
              + value
              + "; it must be compacted (cleanup.policy=compact), or deleted VMs come back and current"
              + " ones expire: alter the topic or choose another fleet.vms_topic");
    }
  }

  private static <T> T get(KafkaFuture<T> f, long deadline, String what) throws IOException {
    try {
      return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        throw new TopicAlreadyThere();
      }
      throw new IOException("cannot " + what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("cannot " + what + ": no answer from the broker in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while trying to " + what, e);
    }
  }

  /** Lost a creation race: the topic is there, which is all that was wanted. */
  private static final class TopicAlreadyThere extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TopicAlreadyThere() {
      super(null, null, false, false);
    }
  }
}
