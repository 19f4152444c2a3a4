package io.vminfo.benchmarks.usage;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.VmUsage;
import io.vminfo.usage.UsageListener;
import io.vminfo.usage.UsageRecord;
import io.vminfo.usage.internal.Batch;
import io.vminfo.usage.internal.FileChannels;
import io.vminfo.usage.internal.Ledger;
import io.vminfo.usage.internal.ProbeRunner;
import io.vminfo.usage.internal.RecordCodec;
import io.vminfo.usage.internal.Reporter;
import io.vminfo.usage.internal.Sampler;
import io.vminfo.usage.internal.Spool;
import io.vminfo.usage.internal.SpoolLayout;
import io.vminfo.usage.internal.VmTracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One sample of N VMs, as the recorder takes it every minute: probe every VM (a fake probe, so host
 * I/O is not measured), build the records, serialize them, append them to the hourly file and fsync
 * ({@code sample}); the serialization alone ({@code encode}); the append and fsync of an already
 * serialized sample alone ({@code writeAndSync}). Target for 10,000 VMs: under 200 ms per sample.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar 'usage.SampleBenchmark' -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class SampleBenchmark {
  private static final Duration MINUTE = Duration.ofMinutes(1);

  @Param({"10000"})
  public int vms;

  private UsageBenchData.SteppingClock clock;
  private Path dir;
  private Spool spool;
  private Sampler sampler;
  private ExecutorService probes;
  private VmTracker tracker;
  private Reporter reporter;
  private UsageProbe probe;
  private List<UsageRecord> records;
  private Batch encoded;

  @Setup(Level.Trial)
  public void trial() {
    clock = new UsageBenchData.SteppingClock(Instant.parse("2026-11-22T10:00:30Z"));
    List<Vm> list = UsageBenchData.vms(vms);
    records = new ArrayList<>(list.size());
    probe = UsageBenchData.probe(clock);
    for (Vm vm : list) {
      try {
        VmUsage u = probe.sample(vm);
        records.add(
            UsageRecord.of(
                Instant.parse("2026-11-22T10:01:00Z"),
                UsageBenchData.SERVER,
                Optional.of("us-east-1"),
                vm,
                u));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    encoded = encode();
    VmStore store = VmStore.builder().clock(clock).build();
    store.initialize(list);
    tracker = new VmTracker();
    tracker.start(store, clock.instant());
    probes = Executors.newSingleThreadExecutor();
    reporter = new Reporter(UsageListener.NONE, clock);
  }

  /** A fresh spool each iteration, so the disk does not fill up over a run. */
  @Setup(Level.Iteration)
  public void iteration() throws IOException {
    dir = Files.createTempDirectory("usage-bench-");
    SpoolLayout layout = new SpoolLayout(dir);
    spool =
        new Spool(
            layout,
            FileChannels.DEFAULT,
            new Ledger(layout.ledgerFile(), layout.corruptDir(), FileChannels.DEFAULT),
            clock,
            Long.MAX_VALUE,
            Duration.ZERO,
            reporter);
    spool.recover();
    sampler =
        new Sampler(
            tracker,
            new ProbeRunner(probe, probes, Duration.ofSeconds(30), reporter),
            spool,
            clock,
            MINUTE,
            60,
            UsageBenchData.SERVER,
            Optional.of("us-east-1"),
            reporter,
            256L << 20);
    sampler.resumeAfter(Optional.empty());
  }

  @TearDown(Level.Iteration)
  public void cleanIteration() throws IOException {
    spool.close();
    UsageBenchData.deleteTree(dir);
  }

  @TearDown(Level.Trial)
  public void cleanTrial() {
    probes.shutdownNow();
    tracker.close();
  }

  /** Probe, records, serialize, append, fsync: one whole sample. */
  @Benchmark
  public int sample() {
    clock.advance(MINUTE);
    sampler.tick();
    if (sampler.waitingSamples() != 0) {
      throw new IllegalStateException("sample not written");
    }
    return sampler.latest().size();
  }

  /** Appending and fsyncing an already serialized sample: the I/O floor of {@code sample}. */
  @Benchmark
  public Spool.Appended writeAndSync() throws IOException {
    clock.advance(MINUTE);
    return spool.append(
        UsageBenchData.SERVER,
        new Batch(
            clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES),
            encoded.bytes(),
            encoded.usageRecords()));
  }

  /** Serialization of one sample only. */
  @Benchmark
  public Batch encode() {
    return RecordCodec.encode(
        Instant.parse("2026-11-22T10:01:00Z"),
        UsageBenchData.SERVER,
        Optional.of("us-east-1"),
        records,
        0);
  }
}
