package io.vminfo.benchmarks.core;

import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Retained heap of a store holding N realistic VMs: used heap after full GCs with the store
 * reachable, minus the same without it.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.vminfo.benchmarks.core.StoreHeapMeasurement 10000}
 */
public final class StoreHeapMeasurement {
  private StoreHeapMeasurement() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    long before = settledHeap();
    VmStore store = VmStore.builder().build();
    List<Vm> vms = new ArrayList<>(n);
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      Vm vm = RealisticVms.vm(i);
      vms.add(vm);
      bytes += vm.serializedSize();
    }
    store.initialize(vms);
    vms = null;
    long after = settledHeap();
    System.out.printf(
        "VMs: %d, serialized JSON total: %.1f MiB (%.0f B/VM)%n",
        store.size(), bytes / 1048576.0, (double) bytes / n);
    System.out.printf(
        "retained heap of the store: %.1f MiB (%.1f KiB/VM)%n",
        (after - before) / 1048576.0, (after - before) / 1024.0 / n);
    if (store.size() != n) {
      throw new IllegalStateException("store lost VMs");
    }
  }

  private static long settledHeap() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
