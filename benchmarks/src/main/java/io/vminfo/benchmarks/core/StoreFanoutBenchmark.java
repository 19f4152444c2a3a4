package io.vminfo.benchmarks.core;

import io.vminfo.core.SubscribeRequest;
import io.vminfo.core.Subscription;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One store update (diff + event + serialization + history) delivered to N subscribers, each of
 * which takes the event from its queue, with 1,000 VMs in the store.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class StoreFanoutBenchmark {
  @Param({"0", "100"})
  public int subscribers;

  private VmStore store;
  private final List<Subscription> subs = new ArrayList<>();
  private Vm[] versions;
  private int next = 1;

  @Setup
  public void setup() {
    store = VmStore.builder().build();
    List<Vm> vms = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      vms.add(RealisticVms.vm(i));
    }
    store.initialize(vms);
    versions = new Vm[] {RealisticVms.vm(7), RealisticVms.modified(RealisticVms.vm(7))};
    for (int s = 0; s < subscribers; s++) {
      subs.add(store.subscribe(SubscribeRequest.all()));
    }
  }

  @TearDown
  public void tearDown() {
    store.close();
  }

  @Benchmark
  public void updateAndDeliver(Blackhole bh) {
    VmEvent e = store.put(versions[next++ & 1]).orElseThrow();
    bh.consume(e);
    for (int i = 0; i < subs.size(); i++) {
      bh.consume(subs.get(i).poll());
    }
  }
}
