package io.vminfo.benchmarks.sysevent;

import io.vminfo.core.VmEvent;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmStore;
import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.FileWatchers;
import io.vminfo.sysevent.SmartOsSource;
import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Latency from renaming a zone XML over the old one (as zonecfg does) to the store's modify event,
 * with N VMs loaded, compared with the raw inotify (and JDK WatchService) latency of the same
 * rename measured the same way: the clock starts right before {@code rename(2)} and stops in the
 * callback (store listener / watch listener) on the receiving thread.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.vminfo.benchmarks.sysevent.RenameLatencyDriver [zones] [changes] [warmup]
 * </pre>
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
public final class RenameLatencyDriver {
  private RenameLatencyDriver() {}

  public static void main(String[] args) throws Exception {
    int zones = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int changes = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    Path dir = Files.createTempDirectory("vminfo-bench-rename");
    try {
      SmartOsTree tree = SmartOsTree.generate(dir, zones);
      report(
          "rename -> store event (SmartOsSource + VmInfoService, inotify)",
          storeLatency(tree, FileWatchers.Implementation.INOTIFY, changes, warmup),
          zones);
      report(
          "rename -> store event (SmartOsSource + VmInfoService, JDK WatchService)",
          storeLatency(tree, FileWatchers.Implementation.JDK, changes, warmup),
          zones);
      report(
          "rename -> raw inotify MOVED_TO callback",
          rawLatency(tree, FileWatchers.Implementation.INOTIFY, changes, warmup),
          zones);
      report(
          "rename -> raw JDK WatchService ENTRY_CREATE callback",
          rawLatency(tree, FileWatchers.Implementation.JDK, changes, warmup),
          zones);
    } finally {
      deleteTree(dir);
    }
  }

  static long[] storeLatency(
      SmartOsTree tree, FileWatchers.Implementation impl, int changes, int warmup)
      throws Exception {
    VmStore store = VmStore.builder().history(1000, 64L * 1024 * 1024).build();
    SmartOsSource src =
        SmartOsSource.builder(SmartOsTree.SERVER_UUID)
            .hostRoot(tree.root)
            .watcherFactory(l -> FileWatchers.builder(l).implementation(impl).build())
            .build();
    VmInfoService svc = VmInfoService.builder(src, store).build();
    svc.start();
    BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(16);
    try (AutoCloseable l = store.addListener((VmEvent e) -> arrivals.offer(System.nanoTime()))) {
      return measure(tree, changes, warmup, arrivals, "s" + impl);
    } finally {
      svc.close();
      store.close();
    }
  }

  static long[] rawLatency(
      SmartOsTree tree, FileWatchers.Implementation impl, int changes, int warmup)
      throws Exception {
    BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(16);
    WatchListener listener =
        new WatchListener() {
          @Override
          public void onEvent(WatchEvent e) {
            long now = System.nanoTime();
            if ((e.kind() == WatchEvent.Kind.MOVED_TO || e.kind() == WatchEvent.Kind.CREATED)
                && e.name().endsWith(".xml")) {
              arrivals.offer(now);
            }
          }

          @Override
          public void onOverflow() {
            throw new IllegalStateException("overflow during the benchmark");
          }
        };
    try (FileWatcher w = FileWatchers.builder(listener).implementation(impl).build()) {
      w.watch(tree.root.resolve("etc/zones"));
      return measure(tree, changes, warmup, arrivals, "r" + impl);
    }
  }

  /**
   * Sequential renames; each waits for its event before the next. Returns sorted latencies (ns).
   */
  static long[] measure(
      SmartOsTree tree, int changes, int warmup, BlockingQueue<Long> arrivals, String tag)
      throws Exception {
    long[] out = new long[changes];
    int zones = tree.zones.size();
    for (int n = 0; n < warmup + changes; n++) {
      int i = (int) ((n * 7919L) % zones);
      Path tmp = tree.prepare(i, "bench-" + tag + "-" + n);
      arrivals.clear();
      long t0 = System.nanoTime();
      Files.move(
          tmp,
          tree.xmlPath(i),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      Long t1 = arrivals.poll(10, TimeUnit.SECONDS);
      if (t1 == null) {
        throw new IllegalStateException("no event within 10 s for change " + n);
      }
      if (n >= warmup) {
        out[n - warmup] = t1 - t0;
      }
    }
    Arrays.sort(out);
    return out;
  }

  static void report(String what, long[] sorted, int zones) {
    System.out.printf(
        "%s, %d VMs, %d changes: median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        what,
        zones,
        sorted.length,
        pct(sorted, 50),
        pct(sorted, 90),
        pct(sorted, 99),
        sorted[sorted.length - 1] / 1e6);
  }

  static double pct(long[] sorted, double p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
