package io.vminfo.benchmarks.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The agent-daemon measurements of docs/benchmarks.md. Starts the real agent ({@link BenchAgent},
 * {@code n} synthetic VMs) as a separate JVM with the distribution's JVM flags, then drives it from
 * this JVM:
 *
 * <ol>
 *   <li>{@code GET /vms/{uuid}} throughput and latency (closed loop, keep-alive, random VMs);
 *   <li>{@code GET /vms} latency with all VMs, one connection;
 *   <li>change to event received by each of {@code subscribers} feed subscribers;
 *   <li>the agent's RSS with the VMs loaded and the subscribers connected;
 *   <li>the agent's CPU while idle (subscribers connected, no changes).
 * </ol>
 *
 * <p>Usage: {@code AgentBenchmarks [--vms 1000] [--subscribers 100] [--seconds 30] [--idle-seconds
 * 300] [--connections 32] [--changes-per-second 20]}
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
public final class AgentBenchmarks {
  /** The JVM flags of bin/vminfod (keep in sync with distribution/src/dist/bin/vminfod). */
  static final List<String> AGENT_JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-Xms64m",
          "-Xmx96m",
          "-Xmn12m",
          "-XX:MaxMetaspaceSize=64m",
          "-XX:ReservedCodeCacheSize=32m",
          "-XX:TieredStopAtLevel=1",
          "-XX:MaxDirectMemorySize=64m",
          "-Xss512k",
          "-Dio.netty.allocator.numHeapArenas=1",
          "-Dio.netty.allocator.numDirectArenas=1",
          "-XX:+ExitOnOutOfMemoryError");

  private AgentBenchmarks() {}

  public static void main(String[] args) throws Exception {
    int vms = intArg(args, "--vms", 1000);
    int subscribers = intArg(args, "--subscribers", 100);
    int seconds = intArg(args, "--seconds", 30);
    int idleSeconds = intArg(args, "--idle-seconds", 300);
    int connections = intArg(args, "--connections", 32);
    int changesPerSecond = intArg(args, "--changes-per-second", 20);

    try (AgentProcess agent = AgentProcess.start(args, BenchAgent.class, Integer.toString(vms))) {
      BufferedReader out = agent.out;
      Writer in = agent.in;
      InetSocketAddress address = agent.address;
      long pid = agent.pid();
      print(
          "machine: %d cores, %s %s, Java %s; agent pid %d with MALLOC_ARENA_MAX=2 %s",
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("os.name"),
          System.getProperty("os.version"),
          Runtime.version(),
          pid,
          String.join(" ", AGENT_JVM_FLAGS));
      print("date: %s; %d VMs", Instant.now(), vms);

      List<String> vmPaths = new ArrayList<>();
      for (int i = 1; i <= vms; i++) {
        vmPaths.add("/vms/" + SyntheticHost.uuid(i));
      }
      // 1. GET /vms/{uuid}
      HttpLoad.run(address, vmPaths, 1, connections, Duration.ofSeconds(10)); // warm-up
      HttpLoad.Result r =
          HttpLoad.run(address, vmPaths, 1, connections, Duration.ofSeconds(seconds));
      print(
          "GET /vms/{uuid}: %.0f req/s over %.1f s (%d ok, %d errors), %d connections;"
              + " latency p50 %s p99 %s max %s",
          r.rate(),
          r.seconds(),
          r.ok(),
          r.errors(),
          connections,
          LongSamples.ms(r.latencies().percentile(50)),
          LongSamples.ms(r.latencies().percentile(99)),
          LongSamples.ms(r.latencies().max()));

      // 2. GET /vms
      HttpLoad.run(address, List.of("/vms"), 1, 1, Duration.ofSeconds(5)); // warm-up
      HttpLoad.Result list =
          HttpLoad.run(
              address, List.of("/vms"), 1, 1, Duration.ofSeconds(Math.max(10, seconds / 2)));
      print(
          "GET /vms (%d VMs, %d bytes): median %s p99 %s max %s (%d requests, 1 connection)",
          vms,
          vmsBytes(address),
          LongSamples.ms(list.latencies().percentile(50)),
          LongSamples.ms(list.latencies().percentile(99)),
          LongSamples.ms(list.latencies().max()),
          list.ok());

      // 3. change -> event at N subscribers
      try (FeedSubscribers feeds = new FeedSubscribers(address, subscribers)) {
        waitFor(() -> feeds.readies() == subscribers, Duration.ofSeconds(60));
        long rev = statusRev(address);
        int total = changesPerSecond * seconds;
        long intervalNanos = 1_000_000_000L / changesPerSecond;
        long next = System.nanoTime();
        // Warm-up changes at the same pace (not measured, so the JIT settles), then the
        // measured ones.
        int warm = changesPerSecond * 10;
        for (int i = 0; i < warm + total; i++) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
          next += intervalNanos;
          rev++;
          if (i >= warm) {
            feeds.sent(rev, System.nanoTime());
          }
          churn(in, out);
        }
        long expected = (long) (warm + total) * subscribers;
        waitFor(() -> feeds.received() >= expected, Duration.ofSeconds(60));
        LongSamples lat = feeds.latencies();
        LongSamples firsts = new LongSamples();
        LongSamples last = new LongSamples();
        feeds.firstByRev().values().forEach(firsts::add);
        feeds.worstByRev().values().forEach(last::add);
        print(
            "  per event: first subscriber p50 %s p99 %s; last subscriber p50 %s p99 %s",
            LongSamples.ms(firsts.percentile(50)),
            LongSamples.ms(firsts.percentile(99)),
            LongSamples.ms(last.percentile(50)),
            LongSamples.ms(last.percentile(99)));
        if (java.util.Arrays.asList(args).contains("--details")) {
          feeds.worstByRev().entrySet().stream()
              .sorted(java.util.Map.Entry.<Long, Long>comparingByValue().reversed())
              .limit(15)
              .forEach(
                  e ->
                      print(
                          "  slowest: rev %d worst %s", e.getKey(), LongSamples.ms(e.getValue())));
        }
        print(
            "change -> event at %d subscribers: %d events x %d = %d samples; p50 %s p99 %s"
                + " max %s (%d changes/s)",
            subscribers,
            total,
            subscribers,
            lat.size(),
            LongSamples.ms(lat.percentile(50)),
            LongSamples.ms(lat.percentile(99)),
            LongSamples.ms(lat.max()),
            changesPerSecond);

        // 4. RSS with the VMs and the subscribers
        agent.printRss("with " + vms + " VMs and " + subscribers + " subscribers");

        // 5. idle CPU
        agent.printIdleCpu(idleSeconds, subscribers);
        agent.printRss("after idle");
      }
    }
  }

  private static void churn(Writer in, BufferedReader out) throws IOException {
    in.write("churn 1\n");
    in.flush();
    String ok = out.readLine();
    if (!"OK".equals(ok)) {
      throw new IOException("agent said " + ok);
    }
  }

  static long statusRev(InetSocketAddress a) throws Exception {
    String body = get(a, "/status");
    int i = body.indexOf("\"rev\":");
    int j = i + 6;
    while (Character.isDigit(body.charAt(j))) {
      j++;
    }
    return Long.parseLong(body.substring(i + 6, j));
  }

  private static int vmsBytes(InetSocketAddress a) throws Exception {
    return get(a, "/vms").getBytes(StandardCharsets.UTF_8).length;
  }

  private static String get(InetSocketAddress a, String path) throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return c.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** VmRSS and VmHWM in bytes. */
  static long[] rss(long pid) throws IOException {
    long rss = 0;
    long hwm = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = kib(line) * 1024;
      } else if (line.startsWith("VmHWM:")) {
        hwm = kib(line) * 1024;
      }
    }
    return new long[] {rss, hwm};
  }

  /** utime + stime of a process, in clock ticks. */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  static void waitFor(java.util.function.BooleanSupplier cond, Duration max) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IOException("condition not met within " + max);
      }
      Thread.sleep(5);
    }
  }

  static int intArg(String[] args, String name, int dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return dflt;
  }

  static void print(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
