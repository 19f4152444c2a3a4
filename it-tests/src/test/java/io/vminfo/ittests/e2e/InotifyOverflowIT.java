package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.FeedSubscriber;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * E2E 4: the agent is frozen (SIGSTOP) while more file events than the kernel's inotify queue holds
 * ({@code /proc/sys/fs/inotify/max_queued_events}) pile up, followed by real zone changes whose
 * events the kernel must therefore drop. Thawed, the agent sees IN_Q_OVERFLOW, reconciles (periodic
 * reconciliation is pushed out to an hour, so only the overflow can explain it) and ends at the
 * truth; a feed subscriber across the freeze ends at the same state with no gap.
 */
class InotifyOverflowIT {
  static final Path MAX_QUEUED = Path.of("/proc/sys/fs/inotify/max_queued_events");

  @TempDir Path dir;

  @Test
  void aBurstBeyondTheKernelQueueEndsAtTheTruth() throws Exception {
    assumeTrue(Files.isReadable(MAX_QUEUED), "SKIPPED: no " + MAX_QUEUED + " (not Linux inotify)");
    int maxQueued;
    // not Files.readString: procfs reports size 0 and the JDK then reads a single byte
    try (var in = Files.newBufferedReader(MAX_QUEUED)) {
      maxQueued = Integer.parseInt(in.readLine().trim());
    }
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    List<String> zones = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      zones.add(tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "z" + i)).uuid());
    }
    try (AgentProcess agent = E2e.smartosAgent(dir, tree).set("reconcile_interval", "1h").start();
        FeedSubscriber feed = FeedSubscriber.open(agent.uri(), "across-freeze", WAIT)) {
      E2e.awaitTruth(agent, tree);
      long revBefore = feed.rev();

      agent.freeze();
      long filler;
      try {
        // 3 queued events per file (the agent watches create, close-write and delete, not modify)
        // in a watched directory the backend ignores: the queue is full before the changes below
        filler = 0;
        Path tmp = tree.path("tmp");
        for (int i = 0; filler < maxQueued + 3_000L; i++) {
          Path f = tmp.resolve("filler-" + (i % 50));
          Files.writeString(f, "x");
          Files.delete(f);
          filler += 3;
        }
        // the changes the agent must not miss
        for (int i = 0; i < 10; i++) {
          tree.delete(zones.get(i));
        }
        for (int i = 10; i < 20; i++) {
          String u = zones.get(i);
          tree.update(u, s -> s.withAlias(s.alias() + "-renamed").withCustomerMetadata("k", u));
        }
        for (int i = 20; i < 25; i++) {
          tree.setState(zones.get(i), "stopped");
        }
        for (int i = 0; i < 10; i++) {
          tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "new" + i));
        }
      } finally {
        agent.thaw();
      }
      System.out.printf(
          "InotifyOverflowIT: ~%d filler events (kernel queue %d) then 35 zone"
              + " changes while the agent was stopped%n",
          filler, maxQueued);

      agent.awaitLog(l -> l.message().contains("inotify queue overflowed"), WAIT);
      E2e.awaitTruth(agent, tree);
      agent.awaitLog(l -> l.message().contains("reconciliation (file watcher overflow"), WAIT);
      E2e.assertFeedEqualsVms(feed, agent);
      assertThat(feed.violations()).isEmpty();
      assertThat(feed.rev()).isGreaterThan(revBefore);
      assertThat(feed.isConnected()).isTrue();
      assertThat(agent.getJson("/status").path("vmErrors")).isEmpty();
    }
  }
}
