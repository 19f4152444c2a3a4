package io.vminfo.benchmarks.manta;

import com.joyent.manta.config.ChainedConfigContext;
import com.joyent.manta.config.DefaultsConfigContext;
import com.joyent.manta.config.StandardConfigContext;
import io.vminfo.manta.BlockingMantaClient;
import io.vminfo.manta.MantaClient;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaKeys;
import io.vminfo.manta.MantaSigner;
import io.vminfo.manta.PutOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compares manta-client with Joyent's java-manta 3.5.0 against one Manta emulator (its own JVM),
 * each measurement in a fresh client JVM so peak heap and RSS belong to that client alone.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.vminfo.benchmarks.manta.MantaLoadDriver [objects] [largeMiB]
 * </pre>
 *
 * Scenarios: PUT of many 4 KiB objects from 8 threads (blocking API of each client); the same
 * through manta-client's asynchronous API with 8 in flight; listing the resulting directory; PUT
 * then GET of one large file. Each small-PUT client warms up, in the shape of its measurement,
 * until its JIT is quiet. Prints a Markdown table for docs/benchmarks.md, with the emulator's CPU
 * time during each measurement beside the client's (both share the machine's cores). Options
 * (system properties of the driver): {@code bench.scenarios} (comma-separated, default all), {@code
 * manta.ioThreads} (manta-client's event loops, default 1), {@code bench.clientJvmArgs} (extra
 * flags for each client JVM, e.g. a JFR recording).
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
public final class MantaLoadDriver {
  private static final PrintStream OUT = System.out;
  private static final int CONCURRENCY = 8;
  private static final int SMALL_SIZE = 4096;

  /** Warm-up PUTs per round; rounds go on until the JIT is quiet (see {@link #warmUp}). */
  private static final int WARMUP_ROUND = 2000;

  private static final int WARMUP_MAX_ROUNDS = 40;

  /**
   * Quiet rounds in a row that end the warm-up. One was not enough: C2 went on compiling for
   * seconds after a single quiet round, during the measurement (a quarter of the client's CPU).
   */
  private static final int QUIET_ROUNDS = 3;

  /** {@code /proc} CPU times are in USER_HZ ticks, 100 per second on Linux. */
  private static final int CLOCK_TICKS = 100;

  /** Process CPU time at the start of the measurement being reported. */
  private static long cpuMark;

  /** The emulator's CPU time (clock ticks) at the same moment, when its pid was given. */
  private static long serverMark;

  /** The emulator's pid, passed by the orchestrator: its CPU per measurement is a column too. */
  private static final long SERVER_PID = Long.getLong("bench.serverPid", -1);

  private MantaLoadDriver() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("run")) {
      runOne(args);
      return;
    }
    int objects = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int largeMiB = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    orchestrate(objects, largeMiB);
  }

  // ------------------------------------------------------------------ orchestrator

  private static void orchestrate(int objects, int largeMiB) throws Exception {
    Path work = Files.createTempDirectory("manta-bench");
    Path key = work.resolve("id_rsa");
    Process kg =
        new ProcessBuilder(
                "ssh-keygen",
                "-q",
                "-t",
                "rsa",
                "-b",
                "2048",
                "-m",
                "PEM",
                "-N",
                "",
                "-f",
                key.toString())
            .inheritIO()
            .start();
    if (!kg.waitFor(60, TimeUnit.SECONDS) || kg.exitValue() != 0) {
      throw new IllegalStateException("ssh-keygen failed (java-manta needs a PEM key)");
    }
    String fingerprint = MantaKeys.load(key).md5Fingerprint();
    Path large = work.resolve("large.bin");
    try (OutputStream out = Files.newOutputStream(large)) {
      Random r = new Random(42);
      byte[] buf = new byte[1 << 20];
      for (int i = 0; i < largeMiB; i++) {
        r.nextBytes(buf);
        out.write(buf);
      }
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    // The emulator stores on tmpfs when there is one: its file system work is the same for both
    // clients, and on a slow disk it would hide the clients' own costs.
    Path shm = Path.of("/dev/shm");
    Path store =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "manta-bench-store")
            : work.resolve("store");
    Process emulator =
        new ProcessBuilder(
                java,
                "-Xmx1g",
                "-XX:+UseParallelGC",
                "-cp",
                cp,
                "io.vminfo.manta.emulator.MantaEmulatorMain",
                "--port",
                "0",
                "--root",
                store.toString(),
                "--key",
                "alice=" + key + ".pub")
            .redirectError(work.resolve("emulator.log").toFile())
            .start();
    String url;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8))) {
      String line = r.readLine();
      if (line == null || !line.startsWith("MANTA_URL=")) {
        throw new IllegalStateException("emulator did not start: " + line);
      }
      url = line.substring("MANTA_URL=".length());
    }
    List<String> rows = new ArrayList<>();
    try {
      // The emulator's JIT keeps getting faster over its first tens of thousands of requests:
      // a client measured first would meet a slower server. Warm it with both clients (not
      // reported), then measure small PUTs in both orders.
      for (String client : new String[] {"java-manta", "manta-client"}) {
        OUT.println("  (emulator warm-up with " + client + ", not reported)");
        child(java, cp, emulator.pid(), client, "put-small", url, key, fingerprint, large, objects);
      }
      for (String scenario :
          System.getProperty("bench.scenarios", "put-small,put-small-async,list,put-get-large")
              .split(",")) {
        String[] order =
            scenario.equals("put-small")
                ? new String[] {"java-manta", "manta-client", "manta-client", "java-manta"}
                : scenario.equals("put-small-async")
                    ? new String[] {"manta-client", "manta-client"}
                    : new String[] {"java-manta", "manta-client"};
        for (String client : order) {
          rows.addAll(
              child(
                  java,
                  cp,
                  emulator.pid(),
                  client,
                  scenario,
                  url,
                  key,
                  fingerprint,
                  large,
                  objects));
        }
      }
    } finally {
      emulator.destroy();
      emulator.waitFor(10, TimeUnit.SECONDS);
      // the objects (on tmpfs: memory) and the large file: gigabytes after a few runs
      deleteTree(store);
      deleteTree(work);
    }
    OUT.printf(
        Locale.ROOT,
        "%n| scenario | client | time (s) | throughput | client CPU (s) | server CPU (s) | peak heap (MiB) | peak RSS (MiB) |%n");
    OUT.println("|---|---|---|---|---|---|---|---|");
    rows.forEach(OUT::println);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static List<String> child(
      String java,
      String cp,
      long serverPid,
      String client,
      String scenario,
      String url,
      Path key,
      String fingerprint,
      Path large,
      int objects)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx512m",
                "-XX:+UseParallelGC",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dmanta.ioThreads=" + Integer.getInteger("manta.ioThreads", 1),
                "-Dbench.serverPid=" + serverPid));
    // e.g. -Dbench.clientJvmArgs=-XX:StartFlightRecording=filename=/tmp/c.jfr to profile a client
    String extra = System.getProperty("bench.clientJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    cmd.addAll(
        List.of(
            "-cp",
            cp,
            MantaLoadDriver.class.getName(),
            "run",
            client,
            scenario,
            url,
            key.toString(),
            fingerprint,
            large.toString(),
            Integer.toString(objects)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> result = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        OUT.println("  " + line);
        if (line.startsWith("|")) {
          result.add(line);
        }
      }
    }
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || result.isEmpty()) {
      throw new IllegalStateException(client + " " + scenario + " failed");
    }
    return result;
  }

  // ------------------------------------------------------------------ one measurement

  /** Either client, reduced to what the scenarios need. */
  private interface Client extends AutoCloseable {
    void mkdirp(String dir) throws Exception;

    void put(String path, byte[] data) throws Exception;

    void putFile(String path, Path file) throws Exception;

    void getFile(String path, Path file) throws Exception;

    long count(String dir) throws Exception;

    /** An asynchronous PUT, where the client has one; empty otherwise. */
    default java.util.Optional<java.util.concurrent.CompletableFuture<?>> putAsync(
        String path, byte[] data) {
      return java.util.Optional.empty();
    }
  }

  private static void runOne(String[] a) throws Exception {
    String client = a[1];
    String scenario = a[2];
    String url = a[3];
    Path key = Path.of(a[4]);
    String fingerprint = a[5];
    Path large = Path.of(a[6]);
    int objects = Integer.parseInt(a[7]);
    HeapSampler heap = new HeapSampler();
    heap.start();
    String base = "/alice/stor/bench-" + client;
    try (Client c =
        client.equals("manta-client") ? ours(url, key) : javaManta(url, key, fingerprint)) {
      switch (scenario) {
        case "put-small":
          {
            c.mkdirp(base + "/small");
            c.mkdirp(base + "/warmup");
            byte[] data = new byte[SMALL_SIZE];
            new Random(7).nextBytes(data);
            // Warm up this JVM (and the emulator) first, from the same 8 threads as the
            // measurement: a warm-up from one thread left C2 compiling the 8-thread paths
            // during the measurement (half of its first second, in a perf profile).
            ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
            warmUp(
                client,
                // every round writes the same names again: the store stays small
                round -> putFromThreads(c, pool, base + "/warmup/w", WARMUP_ROUND, data));
            mark();
            long t0 = System.nanoTime();
            putFromThreads(c, pool, base + "/small/o", objects, data);
            double s = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            report(
                scenario + " (" + objects + " x 4 KiB, 8 threads)",
                client,
                s,
                String.format(Locale.ROOT, "%.0f objects/s", objects / s),
                heap);
            break;
          }
        case "put-small-async":
          {
            // The same PUTs, issued through the asynchronous API: 8 requests in flight,
            // each lane issuing its next PUT when the previous completes (no caller threads).
            c.mkdirp(base + "/small-async");
            c.mkdirp(base + "/warmup-async");
            byte[] data = new byte[SMALL_SIZE];
            new Random(7).nextBytes(data);
            warmUp(
                client,
                round -> runLanes(c, base + "/warmup-async/w" + round + "-", WARMUP_ROUND, data));
            mark();
            long t0 = System.nanoTime();
            runLanes(c, base + "/small-async/o", objects, data);
            double s = (System.nanoTime() - t0) / 1e9;
            report(
                scenario + " (" + objects + " x 4 KiB, 8 in flight)",
                client,
                s,
                String.format(Locale.ROOT, "%.0f objects/s", objects / s),
                heap);
            break;
          }
        case "list":
          {
            mark();
            long t0 = System.nanoTime();
            long n = c.count(base + "/small");
            double s = (System.nanoTime() - t0) / 1e9;
            if (n != objects) {
              throw new IllegalStateException("listed " + n + " entries, expected " + objects);
            }
            report(
                "list (" + n + " entries)",
                client,
                s,
                String.format(Locale.ROOT, "%.0f entries/s", n / s),
                heap);
            break;
          }
        case "put-get-large":
          {
            double mib = Files.size(large) / (1024.0 * 1024.0);
            c.mkdirp(base);
            mark();
            long t0 = System.nanoTime();
            c.putFile(base + "/large.bin", large);
            double put = (System.nanoTime() - t0) / 1e9;
            report(
                String.format(Locale.ROOT, "PUT %.0f MiB file", mib),
                client,
                put,
                String.format(Locale.ROOT, "%.0f MiB/s", mib / put),
                heap);
            heap.reset();
            Path down = large.resolveSibling("down-" + client + ".bin");
            mark();
            t0 = System.nanoTime();
            c.getFile(base + "/large.bin", down);
            double get = (System.nanoTime() - t0) / 1e9;
            if (Files.size(down) != Files.size(large)) {
              throw new IllegalStateException("downloaded " + Files.size(down) + " bytes");
            }
            Files.delete(down);
            report(
                String.format(Locale.ROOT, "GET %.0f MiB file", mib),
                client,
                get,
                String.format(Locale.ROOT, "%.0f MiB/s", mib / get),
                heap);
            break;
          }
        default:
          throw new IllegalArgumentException(scenario);
      }
    }
    heap.interrupt();
  }

  /** One round of warm-up work. */
  private interface WarmUpRound {
    void run(int round) throws Exception;
  }

  /**
   * Runs warm-up rounds until {@link #QUIET_ROUNDS} rounds in a row spend under 1% of its time in
   * the JIT compilers: the measurement then sees steady-state code, not C2 compiling (on 2 cores a
   * compiling client takes CPU from the emulator, and a short fixed warm-up left either client half
   * compiled).
   */
  private static void warmUp(String client, WarmUpRound work) throws Exception {
    var jit = ManagementFactory.getCompilationMXBean();
    int quiet = 0;
    for (int round = 0; round < WARMUP_MAX_ROUNDS; round++) {
      long compileMs = jit.getTotalCompilationTime();
      long t0 = System.nanoTime();
      work.run(round);
      double wallMs = (System.nanoTime() - t0) / 1e6;
      long spent = jit.getTotalCompilationTime() - compileMs;
      quiet = spent < wallMs / 100 ? quiet + 1 : 0;
      if (quiet == QUIET_ROUNDS) {
        System.err.printf(
            Locale.ROOT,
            "  %s warm: %d PUTs (JIT %d ms in the last %.0f ms)%n",
            client,
            (round + 1) * WARMUP_ROUND,
            spent,
            wallMs);
        return;
      }
    }
    System.err.printf(
        Locale.ROOT,
        "  %s: JIT still busy after %d warm-up PUTs%n",
        client,
        WARMUP_MAX_ROUNDS * WARMUP_ROUND);
  }

  /**
   * {@code prefix} and {@code i} in six digits. Not {@code String.format}: its parser (a regex) was
   * the largest item in the measured threads' profile that was neither client's work.
   */
  private static String objectName(String prefix, long i) {
    String digits = Long.toString(i);
    return prefix + "000000".substring(Math.min(6, digits.length())) + digits;
  }

  /** {@code total} blocking PUTs from the {@link #CONCURRENCY} threads of {@code pool}. */
  private static void putFromThreads(
      Client c, ExecutorService pool, String prefix, int total, byte[] data) throws Exception {
    AtomicLong next = new AtomicLong();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < CONCURRENCY; t++) {
      fs.add(
          pool.submit(
              () -> {
                long i;
                while ((i = next.getAndIncrement()) < total) {
                  c.put(objectName(prefix, i), data);
                }
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get(30, TimeUnit.MINUTES);
    }
  }

  /** {@code total} PUTs through {@link Client#putAsync}, {@link #CONCURRENCY} at a time. */
  private static void runLanes(Client c, String prefix, int total, byte[] data) throws Exception {
    AtomicLong next = new AtomicLong();
    java.util.concurrent.CompletableFuture<?>[] lanes =
        new java.util.concurrent.CompletableFuture<?>[CONCURRENCY];
    for (int t = 0; t < CONCURRENCY; t++) {
      java.util.concurrent.CompletableFuture<Void> lane =
          new java.util.concurrent.CompletableFuture<>();
      lanes[t] = lane;
      issueNext(c, prefix, total, data, next, lane);
    }
    java.util.concurrent.CompletableFuture.allOf(lanes).get(30, TimeUnit.MINUTES);
  }

  private static void issueNext(
      Client c,
      String prefix,
      int total,
      byte[] data,
      AtomicLong next,
      java.util.concurrent.CompletableFuture<Void> lane) {
    long i = next.getAndIncrement();
    if (i >= total) {
      lane.complete(null);
      return;
    }
    c.putAsync(objectName(prefix, i), data)
        .orElseThrow(() -> new UnsupportedOperationException("this client has no asynchronous PUT"))
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                lane.completeExceptionally(e);
              } else {
                issueNext(c, prefix, total, data, next, lane);
              }
            });
  }

  /** Marks the start of a measurement: client and server CPU are reported from here. */
  private static void mark() {
    cpuMark = cpuNow();
    serverMark = serverTicks();
  }

  private static void report(
      String scenario, String client, double seconds, String throughput, HeapSampler heap) {
    long cpu = cpuNow();
    long server = serverTicks();
    OUT.printf(
        Locale.ROOT,
        "| %s | %s | %.2f | %s | %.2f | %s | %.0f | %d |%n",
        scenario,
        client,
        seconds,
        throughput,
        (cpu - cpuMark) / 1e9,
        server < 0 || serverMark < 0
            ? "n/a"
            : String.format(Locale.ROOT, "%.2f", (server - serverMark) / (double) CLOCK_TICKS),
        heap.peak() / (1024.0 * 1024.0),
        peakRssMiB());
    cpuMark = cpu;
    serverMark = server;
  }

  private static long cpuNow() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * The emulator's user + system time in clock ticks from {@code /proc/<pid>/stat}, or -1 when
   * there is no pid or no procfs. Fields 14 and 15, counted after the command name, which is in
   * parentheses and may hold spaces.
   */
  private static long serverTicks() {
    if (SERVER_PID < 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(SERVER_PID), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state): utime is field 14, stime field 15
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Samples used heap every 10 ms and keeps the peak: a whole-object buffer cannot hide. */
  private static final class HeapSampler extends Thread {
    private volatile long peak;

    HeapSampler() {
      super("heap-sampler");
      setDaemon(true);
    }

    @Override
    public void run() {
      var mem = ManagementFactory.getMemoryMXBean();
      while (!isInterrupted()) {
        peak = Math.max(peak, mem.getHeapMemoryUsage().getUsed());
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    long peak() {
      return peak;
    }

    void reset() {
      peak = 0;
    }
  }

  private static Client ours(String url, Path key) {
    MantaClient client =
        MantaClient.create(
            MantaConfig.builder()
                .url(url)
                .user("alice")
                .signer(MantaSigner.of(MantaKeys.load(key)))
                .maxConnections(CONCURRENCY)
                .ioThreads(Integer.getInteger("manta.ioThreads", 1))
                .build());
    BlockingMantaClient m = client.blocking();
    return new Client() {
      @Override
      public void mkdirp(String dir) {
        m.mkdirp(dir);
      }

      @Override
      public void put(String path, byte[] data) {
        m.put(path, data);
      }

      @Override
      public void putFile(String path, Path file) {
        m.put(path, file, PutOptions.defaults());
      }

      @Override
      public void getFile(String path, Path file) {
        m.getToFile(path, file);
      }

      @Override
      public long count(String dir) {
        return client.list(dir).count();
      }

      @Override
      public java.util.Optional<java.util.concurrent.CompletableFuture<?>> putAsync(
          String path, byte[] data) {
        return java.util.Optional.of(client.put(path, io.vminfo.manta.MantaBody.ofBytes(data)));
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  private static Client javaManta(String url, Path key, String fingerprint) {
    StandardConfigContext cfg = new StandardConfigContext();
    cfg.setMantaURL(url);
    cfg.setMantaUser("alice");
    cfg.setMantaKeyId(fingerprint);
    cfg.setMantaKeyPath(key.toString());
    cfg.setMaximumConnections(CONCURRENCY);
    cfg.setDisableNativeSignatures(true);
    com.joyent.manta.client.MantaClient client =
        new com.joyent.manta.client.MantaClient(
            new ChainedConfigContext(new DefaultsConfigContext(), cfg));
    return new Client() {
      @Override
      public void mkdirp(String dir) throws IOException {
        client.putDirectory(dir, true);
      }

      @Override
      public void put(String path, byte[] data) throws IOException {
        client.put(path, data);
      }

      @Override
      public void putFile(String path, Path file) throws IOException {
        client.put(path, file.toFile());
      }

      @Override
      public void getFile(String path, Path file) throws IOException {
        try (InputStream in = client.getAsInputStream(path)) {
          Files.copy(in, file);
        }
      }

      @Override
      public long count(String dir) throws IOException {
        try (var s = client.listObjects(dir)) {
          return s.count();
        }
      }

      @Override
      public void close() {
        client.closeWithWarning();
      }
    };
  }
}
