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
 * Scenarios: PUT of many 4 KiB objects from 8 threads; listing the resulting directory; PUT then
 * GET of one large file. Prints a Markdown table for docs/benchmarks.md.
 */
public final class MantaLoadDriver {
    private static final PrintStream OUT = System.out;
    private static final int CONCURRENCY = 8;
    private static final int SMALL_SIZE = 4096;
    private static final int WARMUP = 3000;
    /** Process CPU time at the start of the measurement being reported. */
    private static long cpuMark;

    private MantaLoadDriver() {
    }

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
        Process kg = new ProcessBuilder("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "",
                "-f", key.toString()).inheritIO().start();
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
        Path store = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "manta-bench-store") : work.resolve("store");
        Process emulator = new ProcessBuilder(java, "-Xmx1g", "-XX:+UseParallelGC", "-cp", cp,
                "io.vminfo.manta.emulator.MantaEmulatorMain", "--port", "0", "--root", store.toString(),
                "--key", "alice=" + key + ".pub").redirectError(work.resolve("emulator.log").toFile()).start();
        String url;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8))) {
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
                child(java, cp, client, "put-small", url, key, fingerprint, large, objects);
            }
            for (String scenario : new String[] {"put-small", "list", "put-get-large"}) {
                String[] order = scenario.equals("put-small")
                        ? new String[] {"java-manta", "manta-client", "manta-client", "java-manta"}
                        : new String[] {"java-manta", "manta-client"};
                for (String client : order) {
                    rows.addAll(child(java, cp, client, scenario, url, key, fingerprint, large, objects));
                }
            }
        } finally {
            emulator.destroy();
            emulator.waitFor(10, TimeUnit.SECONDS);
        }
        OUT.printf(Locale.ROOT, "%n| scenario | client | time (s) | throughput | client CPU (s) | peak heap (MiB) | peak RSS (MiB) |%n");
        OUT.println("|---|---|---|---|---|---|---|");
        rows.forEach(OUT::println);
    }

    private static List<String> child(String java, String cp, String client, String scenario, String url, Path key,
            String fingerprint, Path large, int objects) throws Exception {
        Process p = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseParallelGC", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dmanta.ioThreads=" + Integer.getInteger("manta.ioThreads", 2), "-cp", cp, MantaLoadDriver.class.getName(), "run",
                client, scenario, url, key.toString(), fingerprint, large.toString(), Integer.toString(objects))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> result = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
        try (Client c = client.equals("manta-client") ? ours(url, key) : javaManta(url, key, fingerprint)) {
            switch (scenario) {
                case "put-small": {
                    c.mkdirp(base + "/small");
                    c.mkdirp(base + "/warmup");
                    byte[] data = new byte[SMALL_SIZE];
                    new Random(7).nextBytes(data);
                    // Warm up this JVM (and the emulator) first: the table reports steady state.
                    for (int i = 0; i < WARMUP; i++) {
                        c.put(String.format(Locale.ROOT, "%s/warmup/w%05d", base, i % 500), data);
                    }
                    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
                    AtomicLong next = new AtomicLong();
                    cpuMark = cpuNow();
                    long t0 = System.nanoTime();
                    List<Future<?>> fs = new ArrayList<>();
                    for (int t = 0; t < CONCURRENCY; t++) {
                        fs.add(pool.submit(() -> {
                            long i;
                            while ((i = next.getAndIncrement()) < objects) {
                                c.put(String.format(Locale.ROOT, "%s/small/o%06d", base, i), data);
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : fs) {
                        f.get();
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    pool.shutdown();
                    report(scenario + " (" + objects + " x 4 KiB, 8 threads)", client, s,
                            String.format(Locale.ROOT, "%.0f objects/s", objects / s), heap);
                    break;
                }
                case "list": {
                    cpuMark = cpuNow();
                    long t0 = System.nanoTime();
                    long n = c.count(base + "/small");
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (n != objects) {
                        throw new IllegalStateException("listed " + n + " entries, expected " + objects);
                    }
                    report("list (" + n + " entries)", client, s, String.format(Locale.ROOT, "%.0f entries/s", n / s), heap);
                    break;
                }
                case "put-get-large": {
                    double mib = Files.size(large) / (1024.0 * 1024.0);
                    c.mkdirp(base);
                    cpuMark = cpuNow();
                    long t0 = System.nanoTime();
                    c.putFile(base + "/large.bin", large);
                    double put = (System.nanoTime() - t0) / 1e9;
                    report(String.format(Locale.ROOT, "PUT %.0f MiB file", mib), client, put,
                            String.format(Locale.ROOT, "%.0f MiB/s", mib / put), heap);
                    heap.reset();
                    Path down = large.resolveSibling("down-" + client + ".bin");
                    cpuMark = cpuNow();
                    t0 = System.nanoTime();
                    c.getFile(base + "/large.bin", down);
                    double get = (System.nanoTime() - t0) / 1e9;
                    if (Files.size(down) != Files.size(large)) {
                        throw new IllegalStateException("downloaded " + Files.size(down) + " bytes");
                    }
                    Files.delete(down);
                    report(String.format(Locale.ROOT, "GET %.0f MiB file", mib), client, get,
                            String.format(Locale.ROOT, "%.0f MiB/s", mib / get), heap);
                    break;
                }
                default:
                    throw new IllegalArgumentException(scenario);
            }
        }
        heap.interrupt();
    }

    private static void report(String scenario, String client, double seconds, String throughput, HeapSampler heap) {
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        OUT.printf(Locale.ROOT, "| %s | %s | %.2f | %s | %.1f | %.0f | %d |%n", scenario, client, seconds, throughput,
                (cpu - cpuMark) / 1e9, heap.peak() / (1024.0 * 1024.0), peakRssMiB());
        cpuMark = cpu;
    }

    private static long cpuNow() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
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
        MantaClient client = MantaClient.create(MantaConfig.builder().url(url).user("alice")
                .signer(MantaSigner.of(MantaKeys.load(key))).maxConnections(CONCURRENCY)
                .ioThreads(Integer.getInteger("manta.ioThreads", 2)).build());
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
                new com.joyent.manta.client.MantaClient(new ChainedConfigContext(new DefaultsConfigContext(), cfg));
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
