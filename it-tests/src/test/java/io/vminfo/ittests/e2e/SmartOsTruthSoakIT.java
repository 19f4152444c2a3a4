package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.FeedSubscriber;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * E2E 3 (SmartOS): 2,000 random vmadm-like mutations of a host tree (create, delete, property
 * updates, metadata, tags, start/stop; atomic and in-place writes) while 20 subscribers follow the
 * feed and a third of them keep disconnecting and resuming with {@code since}. At the end every
 * subscriber's rebuilt state equals {@code /vms}, which equals the tree, and no subscriber saw a
 * gap or overlap in {@code rev}. The libvirt half is in {@link LibvirtAgentIT}.
 */
class SmartOsTruthSoakIT {
  static final int MUTATIONS = Integer.getInteger("soak.mutations", 2_000);
  static final int SUBSCRIBERS = 20;
  static final int FLAKY = 7;

  @TempDir Path dir;

  @Test
  void everySubscriberEndsAtTheTruth() throws Exception {
    long seed = Long.getLong("soak.seed", System.nanoTime());
    System.out.println(
        "SmartOsTruthSoakIT seed " + seed + " (replay with -Dsoak.seed=" + seed + ")");
    Random random = new Random(seed);
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    for (int i = 0; i < 20; i++) {
      tree.create(ZoneSpec.of(uuid(random), "seed-" + i));
    }
    try (AgentProcess agent = E2e.smartosAgent(dir, tree).start()) {
      E2e.awaitTruth(agent, tree);
      List<FeedSubscriber> subs = new CopyOnWriteArrayList<>();
      for (int i = 0; i < SUBSCRIBERS; i++) {
        subs.add(FeedSubscriber.open(agent.uri(), "sub-" + i, WAIT));
      }
      AtomicBoolean mutating = new AtomicBoolean(true);
      List<Throwable> churnErrors = new CopyOnWriteArrayList<>();
      Thread churn =
          new Thread(
              () -> {
                Random r = new Random(seed + 1);
                int resumes = 0;
                try {
                  while (mutating.get()) {
                    FeedSubscriber s = subs.get(r.nextInt(FLAKY));
                    s.disconnect();
                    Thread.sleep(r.nextInt(40));
                    s.resume(WAIT);
                    resumes++;
                  }
                  System.out.println(
                      "SmartOsTruthSoakIT: " + resumes + " disconnect/resume cycles");
                } catch (Throwable t) {
                  churnErrors.add(t);
                }
              },
              "soak-churn");
      churn.start();

      long t0 = System.nanoTime();
      int[] counts = new int[7];
      try {
        for (int i = 0; i < MUTATIONS; i++) {
          tree.writeMode(
              random.nextInt(4) == 0
                  ? SmartOsHostTree.WriteMode.IN_PLACE
                  : SmartOsHostTree.WriteMode.ATOMIC);
          counts[mutate(tree, random)]++;
          if (random.nextInt(8) == 0) {
            // paced, so that the feed carries most changes one by one while subscribers churn;
            // the other 7 in 8 land in bursts the agent's queue coalesces
            Thread.sleep(random.nextInt(30));
          }
        }
      } finally {
        mutating.set(false);
        churn.join(60_000);
      }
      System.out.printf(
          "SmartOsTruthSoakIT: %d mutations in %d ms (create %d, delete %d, alias %d,"
              + " memory %d, metadata %d, tags %d, state %d), %d zones at the end%n",
          MUTATIONS,
          (System.nanoTime() - t0) / 1_000_000,
          counts[0],
          counts[1],
          counts[2],
          counts[3],
          counts[4],
          counts[5],
          counts[6],
          tree.zones().size());
      assertThat(churnErrors).isEmpty();

      E2e.awaitTruth(agent, tree);
      // the truth is reached; the revision must now stay put (nothing left in the queue)
      long rev = awaitStableRev(agent);
      Map<String, JsonNode> vms = E2e.vms(agent);
      assertThat(tree.differences(vms.values())).isEmpty();
      long events = 0;
      for (FeedSubscriber s : subs) {
        assertThat(s.awaitRev(rev, WAIT)).as("%s reaches rev %d", s, rev).isTrue();
        assertThat(s.violations()).isEmpty();
        assertThat(s.resyncs()).as("%s resynced", s).isZero();
        assertThat(s.vms()).as("%s rebuilt state", s).isEqualTo(vms);
        events += s.events();
      }
      assertThat(subs.subList(0, FLAKY)).allMatch(s -> s.sessions() > 1);
      System.out.printf(
          "SmartOsTruthSoakIT: final rev %d, %d events delivered to %d subscribers%n",
          rev, events, SUBSCRIBERS);
      assertThat(agent.getJson("/status").path("vmErrors")).isEmpty();
      for (FeedSubscriber s : subs) {
        s.close();
      }
    }
  }

  /**
   * Waits until the agent's reload queue is idle and its rev is the same at two consecutive idle
   * polls, and returns that rev: a condition read off {@code /status}, not a guess at how long the
   * queue takes to drain.
   */
  static long awaitStableRev(AgentProcess agent) {
    AtomicLong lastIdleRev = new AtomicLong(-1);
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              JsonNode status = agent.getJson("/status");
              long rev = status.path("rev").asLong(-1);
              boolean idle = status.path("queue").path("idle").asBoolean(false);
              long previous = lastIdleRev.getAndSet(idle ? rev : -1);
              return idle && previous == rev ? rev : -1;
            },
            r -> r >= 0);
  }

  /** One random vmadm-like change; returns its kind. */
  static int mutate(SmartOsHostTree tree, Random r) throws Exception {
    List<String> zones = new ArrayList<>(tree.zones().keySet());
    int kind = zones.size() < 5 ? 0 : zones.size() > 60 ? 1 : r.nextInt(7);
    if (kind == 0) {
      String u = uuid(r);
      ZoneSpec z = ZoneSpec.of(u, "z-" + u.substring(0, 8));
      tree.create(r.nextBoolean() ? z : z.withState("stopped").withBrand("lx"));
      return kind;
    }
    String u = zones.get(r.nextInt(zones.size()));
    switch (kind) {
      case 1 -> tree.delete(u);
      case 2 -> tree.update(u, s -> s.withAlias("a-" + r.nextInt(1000)));
      case 3 -> tree.update(u, s -> s.withMaxPhysicalMemory(128L * (1 + r.nextInt(64))));
      case 4 ->
          tree.update(u, s -> s.withCustomerMetadata("k" + r.nextInt(5), "v" + r.nextInt(1000)));
      case 5 ->
          tree.update(
              u, s -> s.withTags(r.nextBoolean() ? Map.of() : Map.of("role", "r" + r.nextInt(10))));
      default ->
          tree.update(u, s -> s.withState(s.state().equals("running") ? "stopped" : "running"));
    }
    return kind;
  }

  static String uuid(Random r) {
    return new UUID(
            (r.nextLong() & ~0xf000L) | 0x4000L,
            (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L)
        .toString();
  }
}
