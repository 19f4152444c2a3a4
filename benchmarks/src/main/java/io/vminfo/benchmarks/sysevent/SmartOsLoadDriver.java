package io.vminfo.benchmarks.sysevent;

import io.vminfo.core.LoadResult;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmStore;
import io.vminfo.sysevent.SmartOsSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Initial load of a generated SmartOS tree (default 1,000 zones; target under 1.5 s).
 *
 * <p>Measures, in a fresh JVM: the first {@code loadAll()} (cold: class loading, JIT), {@code
 * VmInfoService.start()} of a new source (watches for every zone + load + store init), and warm
 * {@code loadAll()} runs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.vminfo.benchmarks.sysevent.SmartOsLoadDriver [zones] [warm runs]
 * </pre>
 */
public final class SmartOsLoadDriver {
  private SmartOsLoadDriver() {}

  public static void main(String[] args) throws Exception {
    int zones = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path dir = Files.createTempDirectory("vminfo-bench-smartos");
    try {
      SmartOsTree tree = SmartOsTree.generate(dir, zones);
      long t0 = System.nanoTime();
      try (SmartOsSource src =
          SmartOsSource.builder(SmartOsTree.SERVER_UUID).hostRoot(dir).build()) {
        LoadResult r = src.loadAll();
        long cold = System.nanoTime() - t0;
        check(r, zones);
        System.out.printf(
            "zones=%d cold loadAll (first in this JVM): %.1f ms%n", zones, cold / 1e6);
      }

      VmStore store = VmStore.builder().build();
      SmartOsSource src = SmartOsSource.builder(SmartOsTree.SERVER_UUID).hostRoot(dir).build();
      VmInfoService svc = VmInfoService.builder(src, store).build();
      long s0 = System.nanoTime();
      svc.start();
      long start = System.nanoTime() - s0;
      System.out.printf(
          "VmInfoService.start() (%d directory watches + load + store init): %.1f ms, %d VMs%n",
          2 + 2 * zones, start / 1e6, store.size());

      List<Double> warm = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        long w0 = System.nanoTime();
        LoadResult r = src.loadAll();
        warm.add((System.nanoTime() - w0) / 1e6);
        check(r, zones);
      }
      svc.close();
      store.close();
      Collections.sort(warm);
      System.out.printf(
          "warm loadAll over %d runs: median %.1f ms, min %.1f ms, max %.1f ms%n",
          runs, warm.get(warm.size() / 2), warm.get(0), warm.get(warm.size() - 1));
      if (tree.zones.size() != zones) {
        throw new IllegalStateException("tree has " + tree.zones.size() + " zones");
      }
    } finally {
      RenameLatencyDriver.deleteTree(dir);
    }
  }

  private static void check(LoadResult r, int zones) {
    if (r.vms().size() != zones || !r.errors().isEmpty()) {
      throw new IllegalStateException("loaded " + r.vms().size() + " VMs, errors " + r.errors());
    }
  }
}
