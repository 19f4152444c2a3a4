package io.vminfo.usage;

import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.usage.testing.TestDisk;
import io.vminfo.usage.testing.TestVms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The process {@link CrashIT} kills: a usage service on accelerated time with a fixed set of VMs
 * and a deterministic probe, so every record it can ever write is known in advance, on a slow disk
 * (writes in 1 KiB pieces) so that kills often land in the middle of a write.
 *
 * <pre>
 * CrashChild run|drain &lt;spool&gt; &lt;store&gt; &lt;committed-log&gt; &lt;origin-sim-ms&gt; &lt;origin-wall-ms&gt; &lt;factor&gt; &lt;seed&gt;
 * </pre>
 *
 * {@code run} samples and ships until killed, printing {@code started} once recovered, and appends
 * each sample's timestamp to the committed log once the spool has it fsynced. {@code drain} only
 * seals and uploads, and exits 0 once the spool holds nothing un-uploaded.
 */
public final class CrashChild {
  static final int VMS = 24;
  static final String DATACENTER = "crash-dc";
  static final RemotePathTemplate PATHS = RemotePathTemplate.defaultFor("acct");

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path spool = Path.of(args[1]);
    Path storeDir = Path.of(args[2]);
    Path committed = Path.of(args[3]);
    AcceleratedTime time =
        new AcceleratedTime(
            Long.parseLong(args[6]),
            Instant.ofEpochMilli(Long.parseLong(args[4])),
            Instant.ofEpochMilli(Long.parseLong(args[5])));
    Random random = new Random(Long.parseLong(args[7]));

    VmStore store = VmStore.builder().clock(time.clock()).build();
    store.initialize(vms());
    ScheduledThreadPoolExecutor scheduler = time.scheduler(2, "crash-child-scheduler");
    FileChannel log =
        FileChannel.open(
            committed,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    boolean drain = mode.equals("drain");
    UsageService service =
        UsageService.builder()
            .store(store)
            .probe(TestVms.probe())
            .spoolDir(spool)
            .serverUuid(TestVms.SERVER)
            .datacenterName(DATACENTER)
            .objectStore(new Flaky(new LocalDirectoryStore(storeDir), random))
            .remotePath(PATHS)
            .clock(time.clock())
            .scheduler(scheduler)
            .retention(Duration.ofMinutes(5))
            .maxCatchUp(1_000_000)
            .uploadBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
            .sampling(!drain)
            // A slow disk: each write goes 1 KiB at a time, so kills land inside writes too.
            .fileChannels(new TestDisk().slowWrites(1024, 200_000))
            .listener(
                new UsageListener() {
                  @Override
                  public void sampleWritten(Instant timestamp, int usageRecords, long bytes) {
                    // Written after the sample's fsync returned; no fsync needed here, SIGKILL
                    // keeps the page cache.
                    try {
                      log.write(
                          ByteBuffer.wrap((timestamp + "\n").getBytes(StandardCharsets.US_ASCII)));
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  }
                })
            .build();
    service.start();
    System.out.println("started");
    System.out.flush();
    if (!drain) {
      Thread.sleep(Long.MAX_VALUE);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      UsageStatus s = service.status();
      if (s.filesPending() == 0) {
        System.out.println("drained: " + s);
        service.stop(Duration.ofSeconds(10));
        scheduler.shutdownNow();
        System.exit(0);
      }
      Thread.sleep(20);
    }
    System.out.println("not drained: " + service.status());
    System.exit(2);
  }

  static List<Vm> vms() {
    List<Vm> out = new ArrayList<>();
    for (int i = 0; i < VMS; i++) {
      out.add(TestVms.vm(i));
    }
    return out;
  }

  /** The local store, down one time in ten: transient failures and retries under the kills too. */
  private static final class Flaky implements ObjectStore {
    private final ObjectStore delegate;
    private final Random random;

    Flaky(ObjectStore delegate, Random random) {
      this.delegate = delegate;
      this.random = random;
    }

    @Override
    public synchronized StoredObject put(Path localFile, String remotePath, String md5Base64)
        throws ObjectStoreException {
      if (random.nextInt(10) == 0) {
        throw ObjectStoreException.retryable("injected 503", null);
      }
      return delegate.put(localFile, remotePath, md5Base64);
    }
  }
}
