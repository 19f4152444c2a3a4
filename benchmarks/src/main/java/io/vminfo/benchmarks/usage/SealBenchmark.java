package io.vminfo.benchmarks.usage;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.usage.UsageRecord;
import io.vminfo.usage.internal.FileChannels;
import io.vminfo.usage.internal.RecordCodec;
import io.vminfo.usage.internal.Sealer;
import io.vminfo.usage.internal.SegmentKey;
import io.vminfo.usage.internal.SpoolLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * Sealing one hour of N VMs (60 samples, N x 60 usage lines plus 60 summaries): deterministic gzip
 * into a temp file, fsync, MD5 file, rename, directory fsync, delete the log. Target for 1,000 VMs:
 * under 1 s. Prints the compression ratio.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar 'usage.SealBenchmark' -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class SealBenchmark {
  private static final Instant HOUR = Instant.parse("2026-11-22T10:00:00Z");

  @Param({"1000"})
  public int vms;

  private Path dir;
  private Path original;
  private SpoolLayout layout;
  private SegmentKey key;
  private Sealer.Result last;

  @Setup(Level.Trial)
  public void trial() throws IOException {
    dir = Files.createTempDirectory("usage-seal-bench-");
    layout = new SpoolLayout(dir.resolve("spool"));
    key = new SegmentKey(HOUR, UsageBenchData.SERVER, 0);
    original = dir.resolve("hour.log");
    List<Vm> list = UsageBenchData.vms(vms);
    UsageBenchData.SteppingClock clock = new UsageBenchData.SteppingClock(HOUR);
    var probe = UsageBenchData.probe(clock);
    try (OutputStream out = Files.newOutputStream(original)) {
      for (int m = 0; m < 60; m++) {
        Instant t = HOUR.plusSeconds(60L * m);
        clock.advance(java.time.Duration.ofMinutes(1));
        List<UsageRecord> records = new ArrayList<>(list.size());
        for (Vm vm : list) {
          VmUsage u = probe.sample(vm);
          records.add(UsageRecord.of(t, UsageBenchData.SERVER, Optional.of("us-east-1"), vm, u));
        }
        out.write(
            RecordCodec.encode(t, UsageBenchData.SERVER, Optional.of("us-east-1"), records, 40)
                .bytes());
      }
    }
    Files.createDirectories(layout.hourDir(HOUR));
  }

  @Setup(Level.Iteration)
  public void iteration() throws IOException {
    Files.deleteIfExists(layout.gz(key));
    Files.deleteIfExists(layout.md5(key));
    Files.copy(original, layout.log(key), StandardCopyOption.REPLACE_EXISTING);
  }

  @Benchmark
  public Sealer.Result seal() throws IOException {
    last = new Sealer(layout, FileChannels.DEFAULT).seal(key);
    return last;
  }

  @TearDown(Level.Trial)
  public void report() throws IOException {
    long lines;
    try (var s = Files.lines(original)) {
      lines = s.count();
    }
    System.out.printf(
        "%nseal of %d VMs x 60 samples: %d lines, %d bytes -> %d bytes gzip (level %d),"
            + " ratio %.1f:1, MD5 %s%n",
        vms,
        lines,
        last.logBytes(),
        last.gzBytes(),
        Sealer.COMPRESSION_LEVEL,
        (double) last.logBytes() / last.gzBytes(),
        last.md5Base64());
    UsageBenchData.deleteTree(dir);
  }
}
