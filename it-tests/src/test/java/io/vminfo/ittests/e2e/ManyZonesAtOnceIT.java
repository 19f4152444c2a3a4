package io.vminfo.ittests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentLogLine;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.FeedSubscriber;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 point 4: 20,000 zones appear at once (config files, one index write, then every XML)
 * under a running packaged agent with its default JVM flags. It must keep serving throughout
 * ({@code /ping} answers while it loads), end with exactly the tree's VMs and no {@code vmErrors},
 * and a feed subscriber connected across the burst must end with the same state. With the old 96
 * MiB heap ceiling the agent died of an OutOfMemoryError here (and, under a supervisor, again at
 * every restart).
 */
class ManyZonesAtOnceIT {
  private static final int ZONES = 20_000;
  private static final Duration WAIT = Duration.ofMinutes(4);

  @TempDir Path dir;

  @Test
  void twentyThousandZonesAtOnceAreServedWithTheDefaultJvmFlags() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    for (int i = 0; i < 5; i++) {
      tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "first" + i));
    }
    try (AgentProcess agent = E2e.smartosAgent(dir, tree).start();
        FeedSubscriber feed = FeedSubscriber.open(agent.uri(), "burst", Duration.ofSeconds(10))) {
      List<ZoneSpec> burst = new ArrayList<>();
      for (int i = 0; i < ZONES; i++) {
        burst.add(ZoneSpec.of(UUID.randomUUID().toString(), "burst" + i));
      }
      long t0 = System.nanoTime();
      tree.createAll(burst);
      long written = System.nanoTime();
      long[] pings = new long[1];
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                assertThat(agent.get("/ping", Duration.ofSeconds(10)).status()).isEqualTo(200);
                pings[0]++;
                return agent.getJson("/status").path("vmErrors").isEmpty()
                    && agent.getJson("/vms?fields=uuid").size() == ZONES + 5;
              });
      long served = System.nanoTime();
      assertThat(tree.differences(agent.getJson("/vms"))).isEmpty();
      // A subscriber that falls more than its buffer behind during the burst is cut off (by
      // design: the agent never holds an unbounded backlog); it resumes and ends at the truth.
      long rev = agent.getJson("/status").path("rev").asLong();
      int resumes = 0;
      while (!feed.awaitRev(rev, Duration.ofSeconds(30))) {
        assertThat(feed.isConnected()).as("%s neither caught up nor was cut off", feed).isFalse();
        assertThat(++resumes).as("resumes of %s", feed).isLessThanOrEqualTo(5);
        feed.resume(Duration.ofSeconds(30));
      }
      E2e.assertFeedEqualsVms(feed, agent);
      assertThat(feed.violations()).isEmpty();
      long cutOff = agent.getJson("/status").path("feed").path("subscribersCutOff").asLong(-1);
      JsonNode status = agent.getJson("/status");
      assertThat(status.path("initialLoad").path("state").asText()).isEqualTo("complete");
      assertThat(agent.logLines(AgentLogLine::isError)).isEmpty();
      System.out.printf(
          "ManyZonesAtOnceIT: %d zones written in %d ms, all served %d ms later"
              + " (%d pings answered meanwhile); feed: %d events, %d resumes, %d resyncs (cut off: %d); RSS %d MiB, peak %d MiB,"
              + " live heap %d MiB%n",
          ZONES,
          (written - t0) / 1_000_000,
          (served - written) / 1_000_000,
          pings[0],
          feed.events(),
          resumes,
          feed.resyncs(),
          cutOff,
          agent.rssBytes() >> 20,
          agent.peakRssBytes() >> 20,
          agent.liveHeapBytes() >> 20);
    }
  }
}
