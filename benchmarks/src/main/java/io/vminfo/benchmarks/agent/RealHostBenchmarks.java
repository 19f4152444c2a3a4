package io.vminfo.benchmarks.agent;

import static io.vminfo.benchmarks.agent.AgentBenchmarks.intArg;
import static io.vminfo.benchmarks.agent.AgentBenchmarks.print;
import static io.vminfo.benchmarks.agent.AgentBenchmarks.waitFor;

import io.vminfo.benchmarks.sysevent.SmartOsTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent on real files: {@link RealHostAgent} (separate JVM, the distribution's JVM flags) on a
 * generated SmartOS tree of {@code --vms} zones, with {@code --subscribers} HTTP {@code /events}
 * subscribers in this JVM ({@link FeedSubscribers}).
 *
 * <ol>
 *   <li>file change to event received by every subscriber: a zone XML is renamed over the old one
 *       (as zonecfg does; the new XML changes the alias), and the clock runs from just before
 *       {@code rename(2)} until each subscriber's socket has the modify line. One change at a
 *       time: the next starts when all subscribers have the previous one. The path is inotify,
 *       the SmartOS backend's reload, the store's diff, the feed's fan-out and 100 sockets.</li>
 *   <li>the agent's RSS with the VMs loaded and the subscribers connected;</li>
 *   <li>the agent's CPU while idle (subscribers connected, no changes; the usage recorder
 *       samples the 1,000 VMs every minute as in production).</li>
 * </ol>
 *
 * <p>Usage: {@code RealHostBenchmarks [--vms 1000] [--subscribers 100] [--changes 1000]
 * [--warmup 200] [--idle-seconds 300] [--details] [--agent-jvm-flag FLAG]...}
 */
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
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(AgentBenchmarks.AGENT_JVM_FLAGS);
      for (int i = 0; i + 1 < args.length; i++) {
        if (args[i].equals("--agent-jvm-flag")) {
          cmd.add(args[i + 1]); // extra flags for experiments (e.g. -Xlog:gc)
        }
      }
      cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(RealHostAgent.class.getName());
      cmd.add(tree.root.toString());
      cmd.add(state.toString());
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
      pb.environment().put("MALLOC_ARENA_MAX", "2"); // as bin/vminfod sets it
      Process agent = pb.start();
      try {
        BufferedReader out = new BufferedReader(
            new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(agent.getOutputStream(), StandardCharsets.UTF_8);
        String first = out.readLine();
        while (first != null && !first.startsWith("PORT ")) {
          System.err.println("agent: " + first); // e.g. JVM messages of --agent-jvm-flag
          first = out.readLine();
        }
        if (first == null) {
          throw new IOException("agent did not start");
        }
        InetSocketAddress address =
            new InetSocketAddress("127.0.0.1", Integer.parseInt(first.substring(5)));
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
            Files.move(tmp, tree.xmlPath(i), StandardCopyOption.ATOMIC_MOVE,
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
            throw new IllegalStateException("expected " + changes * subscribers
                + " samples, got " + lat.size() + " (an event with an unexpected rev?)");
          }
          print("rename -> modify line at each of %d subscribers, %d VMs: %d changes x %d = %d"
                  + " samples; p50 %s p99 %s max %s", subscribers, vms, changes, subscribers,
              lat.size(), LongSamples.ms(lat.percentile(50)), LongSamples.ms(lat.percentile(99)),
              LongSamples.ms(lat.max()));
          print("  per change: first subscriber p50 %s p99 %s; last subscriber p50 %s p99 %s",
              LongSamples.ms(firsts.percentile(50)), LongSamples.ms(firsts.percentile(99)),
              LongSamples.ms(last.percentile(50)), LongSamples.ms(last.percentile(99)));

          if (java.util.Arrays.asList(args).contains("--details")) {
            feeds.firstByRev().entrySet().stream()
                .sorted(java.util.Map.Entry.<Long, Long>comparingByValue().reversed()).limit(20)
                .forEach(e -> print("  slowest first arrival: rev %d %s", e.getKey(),
                    LongSamples.ms(e.getValue())));
          }
          long[] mem = AgentBenchmarks.rss(pid);
          print("agent RSS with %d VMs and %d subscribers: %.1f MiB (peak %.1f MiB)", vms,
              subscribers, mem[0] / 1048576.0, mem[1] / 1048576.0);

          long before = AgentBenchmarks.cpuTicks(pid);
          long t0 = System.nanoTime();
          Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
          long ticks = AgentBenchmarks.cpuTicks(pid) - before;
          double wall = (System.nanoTime() - t0) / 1e9;
          double cpuSeconds = ticks / 100.0; // USER_HZ
          print("agent idle CPU over %.0f s with %d subscribers: %.2f s CPU = %.3f %% of one core",
              wall, subscribers, cpuSeconds, 100 * cpuSeconds / wall);
          long[] after = AgentBenchmarks.rss(pid);
          print("agent RSS after idle: %.1f MiB (peak %.1f MiB); usage spool: %s", after[0]
              / 1048576.0, after[1] / 1048576.0, spoolSummary(state.resolve("spool")));
        }
        in.write("quit\n");
        in.flush();
        agent.waitFor(30, TimeUnit.SECONDS);
      } finally {
        agent.destroy();
        agent.waitFor(30, TimeUnit.SECONDS);
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
