package io.vminfo.benchmarks.agent;

import static io.vminfo.benchmarks.agent.AgentBenchmarks.intArg;
import static io.vminfo.benchmarks.agent.AgentBenchmarks.print;
import static io.vminfo.benchmarks.agent.AgentBenchmarks.waitFor;

import io.vminfo.benchmarks.sysevent.SmartOsTree;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The agent on real files: {@link RealHostAgent} (separate JVM, the distribution's JVM flags) on a
 * generated SmartOS tree of {@code --vms} zones, with {@code --subscribers} HTTP {@code /events}
 * subscribers in this JVM ({@link FeedSubscribers}).
 *
 * <ol>
 *   <li>file change to event received by every subscriber: a zone XML is renamed over the old one
 *       (as zonecfg does; the new XML changes the alias), and the clock runs from just before
 *       {@code rename(2)} until each subscriber's socket has the modify line. One change at a time:
 *       the next starts when all subscribers have the previous one. The path is inotify, the
 *       SmartOS backend's reload, the store's diff, the feed's fan-out and 100 sockets.
 *   <li>the agent's RSS with the VMs loaded and the subscribers connected;
 *   <li>the agent's CPU while idle (subscribers connected, no changes; the usage recorder samples
 *       the 1,000 VMs every minute as in production).
 * </ol>
 *
 * <p>Usage: {@code RealHostBenchmarks [--vms 1000] [--subscribers 100] [--changes 1000] [--warmup
 * 200] [--idle-seconds 300] [--details] [--agent-jvm-flag FLAG]...}
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
public final class RealHostBenchmarks {
  private RealHostBenchmarks() {}

  public static void main(String[] args) throws Exception {
    int vms = intArg(args, "--vms", 1000);
    int subscribers = intArg(args, "--subscribers", 100);
    int changes = intArg(args, "--changes", 1000);
    int warmup = intArg(args, "--warmup", 200);
    int idleSeconds = intArg(args, "--idle-seconds", 300);

    Path dir = Files.createTempDirectory("vminfo-bench-realhost");
    try {
      SmartOsTree tree = SmartOsTree.generate(dir.resolve("host"), vms);
      Path state = Files.createDirectories(dir.resolve("state"));
      try (AgentProcess agent =
          AgentProcess.start(args, RealHostAgent.class, tree.root.toString(), state.toString())) {
        InetSocketAddress address = agent.address;
        long pid = agent.pid();
        print("agent pid %d on %s, %d zones under %s", pid, address, vms, tree.root);

        try (FeedSubscribers feeds = new FeedSubscribers(address, subscribers)) {
          waitFor(() -> feeds.readies() == subscribers, Duration.ofSeconds(60));
          long rev = AgentBenchmarks.statusRev(address);
          long expected = 0;
          for (int n = 0; n < warmup + changes; n++) {
            int i = (int) ((n * 7919L) % vms);
            Path tmp = tree.prepare(i, "bench-" + n);
            rev++;
            expected += subscribers;
            long t0 = System.nanoTime();
            if (n >= warmup) {
              feeds.sent(rev, t0);
            }
            Files.move(
                tmp,
                tree.xmlPath(i),
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            long want = expected;
            waitFor(() -> feeds.received() >= want, Duration.ofSeconds(10));
          }
          LongSamples lat = feeds.latencies();
          LongSamples firsts = new LongSamples();
          LongSamples last = new LongSamples();
          feeds.firstByRev().values().forEach(firsts::add);
          feeds.worstByRev().values().forEach(last::add);
          if (lat.size() != (long) changes * subscribers) {
            throw new IllegalStateException(
                "expected "
                    + changes * subscribers
                    + " samples, got "
                    + lat.size()
                    + " (an event with an unexpected rev?)");
          }
          print(
              "rename -> modify line at each of %d subscribers, %d VMs: %d changes x %d = %d"
                  + " samples; p50 %s p99 %s max %s",
              subscribers,
              vms,
              changes,
              subscribers,
              lat.size(),
              LongSamples.ms(lat.percentile(50)),
              LongSamples.ms(lat.percentile(99)),
              LongSamples.ms(lat.max()));
          print(
              "  per change: first subscriber p50 %s p99 %s; last subscriber p50 %s p99 %s",
              LongSamples.ms(firsts.percentile(50)),
              LongSamples.ms(firsts.percentile(99)),
              LongSamples.ms(last.percentile(50)),
              LongSamples.ms(last.percentile(99)));

          if (java.util.Arrays.asList(args).contains("--details")) {
            feeds.firstByRev().entrySet().stream()
                .sorted(java.util.Map.Entry.<Long, Long>comparingByValue().reversed())
                .limit(20)
                .forEach(
                    e ->
                        print(
                            "  slowest first arrival: rev %d %s",
                            e.getKey(), LongSamples.ms(e.getValue())));
          }
          agent.printRss("with " + vms + " VMs and " + subscribers + " subscribers");
          agent.printIdleCpu(idleSeconds, subscribers);
          agent.printRss("after idle");
          print("usage spool: %s", spoolSummary(state.resolve("spool")));
        }
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static String spoolSummary(Path spool) throws IOException {
    try (Stream<Path> s = Files.walk(spool)) {
      List<Path> logs = s.filter(p -> p.toString().endsWith(".log")).toList();
      long bytes = 0;
      long lines = 0;
      for (Path p : logs) {
        bytes += Files.size(p);
        try (Stream<String> l = Files.lines(p)) {
          lines += l.count();
        }
      }
      return logs.size() + " open file(s), " + lines + " lines, " + bytes + " bytes";
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
