package io.vminfo.benchmarks.core;

import io.vminfo.core.Change;
import io.vminfo.core.JsonDiff;
import io.vminfo.core.Vm;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Diff of two realistic VM objects (~40 keys, 4 nics, 3 disks, metadata) with a few changes. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class DiffBenchmark {
  private Vm a;
  private Vm b;
  private Vm sameContent;
  private com.fasterxml.jackson.databind.JsonNode aTree;
  private com.fasterxml.jackson.databind.JsonNode reorderedTree;

  @Setup
  public void setup() {
    a = RealisticVms.vm(42);
    b = RealisticVms.modified(a);
    sameContent = RealisticVms.vm(42);
    aTree = a.toJson();
    // Same content with the nics listed in another order: equal under diff.js set semantics, so
    // the engine must walk the whole tree to prove there is no change.
    com.fasterxml.jackson.databind.node.ObjectNode r = a.toJson();
    com.fasterxml.jackson.databind.node.ArrayNode nics =
        (com.fasterxml.jackson.databind.node.ArrayNode) r.get("nics");
    nics.insert(0, nics.remove(3));
    reorderedTree = r;
    if (JsonDiff.diff(a, b).size() != 5) {
      throw new IllegalStateException("expected 5 changes, got " + JsonDiff.diff(a, b));
    }
  }

  @Benchmark
  public List<Change> diffWithFiveChanges() {
    return JsonDiff.diff(a, b);
  }

  /** Two distinct VM objects with the same bytes (the store's "nothing changed" case). */
  @Benchmark
  public List<Change> diffEqualBytes() {
    return JsonDiff.diff(a, sameContent);
  }

  /** Equal only under set semantics: the full tree walk. */
  @Benchmark
  public List<Change> diffReorderedNics() {
    return JsonDiff.diff(aTree, reorderedTree, io.vminfo.core.DiffOptions.VM);
  }
}
