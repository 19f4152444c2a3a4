package io.vminfo.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** What the publisher asks the broker to create; the creation itself is proven by FleetKafkaIT. */
class TopicSetupTest {
  @Test
  void onlyTheVmTopicIsCompactedAndZeroMeansTheBrokersDefault() {
    List<NewTopic> t = new TopicSetup(0, 0).topics("f", "v", "u");
    assertThat(t).extracting(NewTopic::name).containsExactly("f", "v", "u");
    assertThat(t.get(1).configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
    assertThat(t.get(0).configs()).isNullOrEmpty();
    assertThat(t.get(2).configs()).isNullOrEmpty();
    // NewTopic reports "the broker's default" as -1
    assertThat(t)
        .allSatisfy(
            n -> {
              assertThat(n.numPartitions()).isEqualTo(-1);
              assertThat(n.replicationFactor()).isEqualTo((short) -1);
            });
  }

  @Test
  void explicitPartitionsAndReplicas() {
    NewTopic n = new TopicSetup(12, 3).topics("f", "v", "u").get(2);
    assertThat(n.numPartitions()).isEqualTo(12);
    assertThat(n.replicationFactor()).isEqualTo((short) 3);
    assertThat(Optional.of(n.name())).contains("u");
  }

  @Test
  void negativeOrOversizedSettingsAreRefused() {
    assertThatThrownBy(() -> new TopicSetup(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TopicSetup(0, 40_000))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
