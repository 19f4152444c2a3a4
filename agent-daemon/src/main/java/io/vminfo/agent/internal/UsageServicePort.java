package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.Json;
import io.vminfo.core.text.IsoMillis;
import io.vminfo.usage.ObjectStoreException;
import io.vminfo.usage.UsageListener;
import io.vminfo.usage.UsageRecord;
import io.vminfo.usage.UsageService;
import io.vminfo.usage.UsageStatus;
import io.vminfo.usage.WaitingSamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real usage recorder behind {@link UsageRecorderPort}: a {@link UsageService} and the object
 * store it uploads to. Metric counters are kept by a {@link UsageListener} (lock-free, so a scrape
 * never waits for a sample's fsync); {@code /status} reads {@link UsageService#status()}.
 */
final class UsageServicePort implements UsageRecorderPort {
  /**
   * Where the recorder keeps its ledger inside the spool (usage-recorder README, "Spool layout").
   */
  static final String LEDGER = "ledger/uploads.jsonl";

  private final UsageService service;
  private final Meters meters;
  private final Path spoolDir;
  private final String target;
  private final String remotePathTemplate;
  private final Duration interval;
  private final Runnable onStart;
  private final AutoCloseable storeResource;

  UsageServicePort(
      UsageService service,
      Meters meters,
      Path spoolDir,
      String target,
      String remotePathTemplate,
      Duration interval,
      Runnable onStart,
      AutoCloseable storeResource) {
    this.service = Objects.requireNonNull(service, "service");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.spoolDir = Objects.requireNonNull(spoolDir, "spoolDir");
    this.target = Objects.requireNonNull(target, "target");
    this.remotePathTemplate = Objects.requireNonNull(remotePathTemplate, "remotePathTemplate");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.onStart = Objects.requireNonNull(onStart, "onStart");
    this.storeResource = Objects.requireNonNull(storeResource, "storeResource");
  }

  @Override
  public void start() throws IOException {
    onStart.run();
    service.start();
  }

  @Override
  public ObjectNode status() {
    UsageStatus s = service.status();
    ObjectNode o = Json.NODES.objectNode();
    o.put("state", s.running() ? "running" : "stopped");
    o.put("interval", Units.format(interval));
    s.lastSample().ifPresent(t -> o.put("lastSample", IsoMillis.format(t)));
    o.put("samplesWritten", s.samplesWritten());
    o.put("recordsWritten", s.recordsWritten());
    o.put("samplesWaiting", s.samplesWaiting());
    o.put("probeFailures", s.probeFailures());
    o.put("intervalsSkipped", s.intervalsSkipped());
    s.clockBehindUntil().ifPresent(t -> o.put("clockBehindUntil", IsoMillis.format(t)));

    ObjectNode spool = o.putObject("spool");
    spool.put("dir", spoolDir.toString());
    spool.put("bytes", s.spoolBytes());
    spool.put("capBytes", s.spoolCapBytes());
    ArrayNode setAside = spool.putArray("setAside");
    for (UsageStatus.SetAsideFile f : s.setAside()) {
      ObjectNode x = setAside.addObject();
      x.put("file", f.file());
      x.put("bytes", f.bytes());
      x.put("at", IsoMillis.format(f.at()));
      x.put("reason", f.reason());
    }

    ObjectNode ledger = o.putObject("ledger");
    Path ledgerFile = spoolDir.resolve(LEDGER);
    ledger.put("file", ledgerFile.toString());
    ledger.put("bytes", sizeOf(ledgerFile));
    ledger.put("uploadsRecorded", s.uploadsSucceeded());

    ObjectNode upload = o.putObject("upload");
    upload.put("target", target);
    upload.put("pathTemplate", remotePathTemplate);
    upload.put("pendingFiles", s.filesPending());
    upload.put("pendingBytes", s.bytesPending());
    s.oldestPendingHour().ifPresent(h -> upload.put("oldestPendingHour", IsoMillis.format(h)));
    s.lastUpload().ifPresent(t -> upload.put("lastUpload", IsoMillis.format(t)));
    upload.put("succeeded", s.uploadsSucceeded());
    upload.put("failed", s.uploadsFailed());
    s.nextUploadAttempt().ifPresent(t -> upload.put("nextAttempt", IsoMillis.format(t)));
    ArrayNode parked = upload.putArray("parked");
    for (UsageStatus.ParkedUpload p : s.parked()) {
      ObjectNode x = parked.addObject();
      x.put("file", p.file());
      x.put("remotePath", p.remotePath());
      x.put("since", IsoMillis.format(p.since()));
      x.put("reason", p.reason());
    }

    ObjectNode dropped = o.putObject("dropped");
    dropped.put("bytes", s.droppedBytes());
    dropped.put("files", s.droppedFiles());
    dropped.put("samples", s.droppedSamples());

    s.lastError()
        .ifPresent(
            e -> {
              ObjectNode x = o.putObject("lastError");
              x.put("at", IsoMillis.format(e.at()));
              x.put("component", e.component());
              x.put("message", e.message());
            });
    return o;
  }

  @Override
  public byte[] latestSamplesJson() {
    List<UsageRecord> latest = service.latestSamples();
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + latest.size() * 700);
    out.write('[');
    for (int i = 0; i < latest.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(latest.get(i).toJson().getBytes(StandardCharsets.UTF_8));
    }
    out.write(']');
    return out.toByteArray();
  }

  @Override
  public UsageCounters counters() {
    UsageStatus s = service.status();
    return new UsageCounters(
        meters.records.get(),
        meters.uploadsSucceeded.get(),
        meters.uploadsFailed.get(),
        s.spoolBytes(),
        meters.droppedBytes.get(),
        meters.setAside.get(),
        s.intervalsSkipped(),
        s.clockBehindUntil().isPresent());
  }

  @Override
  public boolean spoolReadOnly() {
    return service.spoolReadOnly();
  }

  @Override
  public WaitingSamples takeWaiting() {
    return service.takeWaitingSamples();
  }

  @Override
  public void flush(Duration budget) {
    service.stop(budget);
  }

  @Override
  public void close() {
    service.stop(Duration.ofSeconds(1)); // a no-op after flush
    try {
      storeResource.close();
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(UsageServicePort.class)
          .warn("closing the usage object store: {}", e.toString());
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Metric totals, fed by the recorder's listener calls. */
  static final class Meters implements UsageListener {
    final AtomicLong records = new AtomicLong();
    final AtomicLong uploadsSucceeded = new AtomicLong();
    final AtomicLong uploadsFailed = new AtomicLong();
    final AtomicLong droppedBytes = new AtomicLong();
    final AtomicLong setAside = new AtomicLong();

    @Override
    public void sampleWritten(Instant timestamp, int usageRecords, long bytes) {
      records.addAndGet(usageRecords);
    }

    @Override
    public void uploadSucceeded(String remotePath, long bytes) {
      uploadsSucceeded.incrementAndGet();
    }

    @Override
    public void uploadFailed(String remotePath, ObjectStoreException error) {
      uploadsFailed.incrementAndGet();
    }

    @Override
    public void dropped(String what, long bytes, String reason) {
      droppedBytes.addAndGet(bytes);
    }

    @Override
    public void setAside(String file, String reason) {
      setAside.incrementAndGet();
    }
  }
}
