package io.vminfo.usage.internal;

import io.vminfo.usage.UsageStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool directory and its index: which hourly files exist and what state each is in. Every
 * change of a file's state happens under this object's lock; the long work (gzip, upload) happens
 * outside it on files the lock has handed out (SEALING, UPLOADING), which nobody else touches.
 *
 * <pre>
 *  OPEN --claimForSealing--> SEALING --sealed--> SEALED --claimUpload--> UPLOADING --confirmed--> (deleted)
 *   ^                           |                  ^  ^                   |   |          or UPLOADED (retained)
 *   +------- seal failed -------+                  |  +---- transient ----+   +--> PARKED (permanent)
 * </pre>
 *
 * A sample is appended to the newest OPEN file of its hour, or to a new segment when every earlier
 * one is sealed, so a sealed or uploaded file never changes. The byte cap is enforced before each
 * append: retained uploaded copies go first, then set-aside files, then the oldest un-uploaded
 * files, each drop reported.
 *
 * <p>The newest sample timestamp ever written is known from the last summary line of the open files
 * and, for files already sealed or dropped, from {@code state/sampler.json}, which is brought up to
 * date before any {@code .log} goes away. That is what a restarted sampler goes on from.
 */
public final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);

  enum State {
    OPEN,
    SEALING,
    SEALED,
    UPLOADING,
    PARKED,
    UPLOADED
  }

  /** How long ledger entries of files no longer in the spool are kept. */
  static final Duration LEDGER_KEEP = Duration.ofDays(35);

  /** Compaction waits until it can drop this many entries (about a month of hours). */
  static final int LEDGER_COMPACT_MIN = 720;

  private static final EnumSet<State> PENDING =
      EnumSet.of(State.OPEN, State.SEALING, State.SEALED, State.UPLOADING, State.PARKED);

  private static final class Segment {
    final SegmentKey key;
    State state;
    long logBytes;
    long gzBytes;
    long md5Bytes;
    Optional<String> md5 = Optional.empty();
    Instant uploadedAt;
    String remotePath;
    String parkReason;
    Instant parkedAt;
    FileChannel channel;
    Instant lastSample;

    Segment(SegmentKey key, State state) {
      this.key = key;
      this.state = state;
    }

    long bytes() {
      return logBytes + gzBytes + md5Bytes;
    }
  }

  /** What a restart found. */
  public record Recovery(
      Optional<Instant> lastSample,
      int openFiles,
      int sealedFiles,
      int retainedFiles,
      long cutBytes) {}

  /** A sealed file handed out for upload. */
  public record UploadJob(SegmentKey key, Path file, Optional<String> md5, String sealedName) {}

  /** What {@link #append} did. */
  public enum Appended {
    WRITTEN,
    DROPPED
  }

  /** Spool figures for status. */
  public record Snapshot(
      int filesPending,
      long bytesPending,
      Optional<Instant> oldestPendingHour,
      long spoolBytes,
      List<UsageStatus.ParkedUpload> parked,
      List<UsageStatus.SetAsideFile> setAside) {}

  private final SpoolLayout layout;
  private final FileChannels io;
  private final Ledger ledger;
  private final Clock clock;
  private final long capBytes;
  private final Duration retention;
  private final Reporter reporter;
  private final SamplerState state;
  private final TreeMap<SegmentKey, Segment> segments = new TreeMap<>();

  /** Highest segment number ever used per hour and server, including uploaded and deleted ones. */
  private final Map<String, Integer> highestSegment = new HashMap<>();

  private final LinkedHashMap<String, UsageStatus.SetAsideFile> setAside = new LinkedHashMap<>();
  private Segment writing;

  /** The newest sample in the spool, and what of it the state file already says. */
  private Instant highWater;

  private Instant persisted;
  private long totalBytes;
  private boolean closed;

  public Spool(
      SpoolLayout layout,
      FileChannels io,
      Ledger ledger,
      Clock clock,
      long capBytes,
      Duration retention,
      Reporter reporter) {
    this.layout = layout;
    this.io = io;
    this.ledger = ledger;
    this.clock = clock;
    this.capBytes = capBytes;
    this.retention = retention;
    this.reporter = reporter;
    this.state = new SamplerState(layout.stateFile(), io);
  }

  public SpoolLayout layout() {
    return layout;
  }

  /**
   * Rebuilds the index from disk after a start or crash: removes temp files, finishes or undoes
   * half-done sealing, repairs torn tails, opens the ledger.
   */
  public synchronized Recovery recover() throws IOException {
    Durable.createDirectories(layout.root());
    Durable.createDirectories(layout.corruptDir());
    Ledger.OpenResult lr = ledger.open(clock.instant());
    lr.setAside()
        .ifPresent(
            p -> {
              String rel = layout.relative(p);
              setAside.put(
                  rel,
                  new UsageStatus.SetAsideFile(
                      rel,
                      sizeOf(p),
                      clock.instant(),
                      lr.badLines() + " corrupt ledger line(s); good entries kept"));
              reporter.setAside(rel, "ledger had " + lr.badLines() + " corrupt line(s)");
            });
    for (Ledger.Entry e : ledger.entries()) {
      SpoolLayout.parseRelative(e.file()).ifPresent(p -> noteSegment(p.key()));
    }
    Optional<Instant> last = Optional.empty();
    int open = 0;
    int sealed = 0;
    int retained = 0;
    long cut = 0;
    for (Path hourDir : hourDirs()) {
      Instant hour = hourOf(hourDir);
      Map<SegmentKey, EnumSet<SpoolLayout.Kind>> found = new TreeMap<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(hourDir)) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          if (name.startsWith(".") && name.endsWith(".tmp")) {
            Files.deleteIfExists(f);
            log.info("removed temp file {} left by an interrupted write", f);
            continue;
          }
          Optional<SpoolLayout.Parsed> p = SpoolLayout.parse(hour, name);
          if (p.isEmpty() || !Files.isRegularFile(f)) {
            log.warn("ignoring unexpected entry in the usage spool: {}", f);
            continue;
          }
          found
              .computeIfAbsent(p.get().key(), k -> EnumSet.noneOf(SpoolLayout.Kind.class))
              .add(p.get().kind());
        }
      }
      for (Map.Entry<SegmentKey, EnumSet<SpoolLayout.Kind>> e : found.entrySet()) {
        SegmentKey k = e.getKey();
        EnumSet<SpoolLayout.Kind> kinds = e.getValue();
        if (kinds.contains(SpoolLayout.Kind.GZ)) {
          noteSegment(k);
          if (kinds.contains(SpoolLayout.Kind.LOG)) {
            // Sealing finished (the .gz is renamed only when complete) but the .log was not
            // deleted.
            Durable.delete(layout.log(k));
          }
          Segment s = new Segment(k, State.SEALED);
          s.gzBytes = Files.size(layout.gz(k));
          if (kinds.contains(SpoolLayout.Kind.MD5)) {
            s.md5 = readMd5(layout.md5(k));
            s.md5Bytes = sizeOf(layout.md5(k));
          }
          Optional<Ledger.Entry> entry = ledger.get(layout.sealedName(k));
          if (entry.isPresent()) {
            s.state = State.UPLOADED;
            s.uploadedAt = entry.get().uploaded();
            s.remotePath = entry.get().remotePath();
            retained++;
          } else {
            sealed++;
          }
          segments.put(k, s);
        } else if (kinds.contains(SpoolLayout.Kind.LOG)) {
          if (kinds.contains(SpoolLayout.Kind.MD5)) {
            Durable.delete(layout.md5(k)); // written just before a rename that did not happen
          }
          TailRepair.Result r = TailRepair.repair(layout.log(k), io);
          if (r.cutBytes() > 0) {
            cut += r.cutBytes();
            log.warn(
                "repaired {}: cut {} bytes after the last complete sample (a write cut short"
                    + " by a crash; that sample is taken again)",
                layout.log(k),
                r.cutBytes());
          }
          AdoptionCheck.Result a =
              r.keptBytes() == 0
                  ? new AdoptionCheck.Result(
                      0, 0, 0, Optional.empty(), Optional.empty(), Optional.empty())
                  : adopt(k);
          if (a.keptBytes() == 0) {
            Durable.delete(layout.log(k));
            continue;
          }
          // (A file whose only sample was torn is gone: its number was never sealed, so is free.)
          noteSegment(k);
          Segment s = new Segment(k, State.OPEN);
          s.logBytes = a.keptBytes();
          s.lastSample = a.lastSample().orElse(null);
          segments.put(k, s);
          open++;
          if (a.lastSample().isPresent()
              && (last.isEmpty() || a.lastSample().get().isAfter(last.get()))) {
            last = a.lastSample();
          }
        } else {
          Durable.delete(layout.md5(k));
        }
      }
      removeEmptyDirs(hourDir);
    }
    scanSetAside();
    compactLedger();
    Optional<Instant> fromState = state.read();
    persisted = fromState.orElse(null);
    if (fromState.isPresent() && (last.isEmpty() || fromState.get().isAfter(last.get()))) {
      last = fromState;
    }
    highWater = last.orElse(null);
    totalBytes = 0;
    for (Segment s : segments.values()) {
      totalBytes += s.bytes();
    }
    for (UsageStatus.SetAsideFile f : setAside.values()) {
      totalBytes += f.bytes();
    }
    return new Recovery(last, open, sealed, retained, cut);
  }

  /**
   * Forgets ledger entries of files long gone: the ledger is read whole at every start and grows by
   * one line per uploaded hour. An entry stays while its file is in the spool (a retained copy must
   * stay "uploaded") and for {@link #LEDGER_KEEP} after its upload, far longer than any sample can
   * arrive late for its hour, so a segment number is never used twice.
   */
  private void compactLedger() {
    Instant horizon = clock.instant().minus(LEDGER_KEEP);
    try {
      int dropped =
          ledger.compact(
              e ->
                  e.uploaded().isAfter(horizon)
                      || SpoolLayout.parseRelative(e.file())
                          .map(p -> segments.containsKey(p.key()))
                          .orElse(false),
              LEDGER_COMPACT_MIN);
      if (dropped > 0) {
        log.info(
            "usage ledger compacted: dropped {} entries of files uploaded before {}",
            dropped,
            horizon);
      }
    } catch (IOException e) {
      // The old ledger is still whole and in use; compaction is tried again at the next start.
      log.warn("cannot compact the usage ledger: {}", e.toString());
    }
  }

  /**
   * Appends one sample to the file of its hour and forces it. On an I/O error the file is cut back
   * to where it was, so no partial sample is left before the next one, and the error is thrown.
   */
  public synchronized Appended append(String server, Batch batch) throws IOException {
    requireOpen();
    SegmentKey key = writableSegment(SegmentKey.of(batch.timestamp(), server, 0));
    if (!makeRoom(batch.size(), Optional.of(key))) {
      reporter.droppedSample(
          batch.timestamp(),
          batch.usageRecords(),
          batch.size(),
          "spool is at its cap of " + capBytes + " bytes and nothing older is left to drop");
      return Appended.DROPPED;
    }
    Segment s = segments.get(key);
    if (s == null) {
      Path dir = layout.hourDir(key.hour());
      Durable.createDirectories(dir);
      s = new Segment(key, State.OPEN);
      s.channel = io.open(layout.log(key), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      Durable.fsyncDirectory(dir);
      segments.put(key, s);
      noteSegment(key);
    }
    if (writing != null && writing != s) {
      closeChannel(writing);
    }
    writing = s;
    if (s.channel == null) {
      s.channel = io.open(layout.log(key), StandardOpenOption.WRITE);
    }
    FileChannel ch = s.channel;
    try {
      if (ch.size() != s.logBytes) {
        ch.truncate(s.logBytes); // the remains of a failed write
      }
      Durable.writeFully(ch, ByteBuffer.wrap(batch.bytes()), s.logBytes);
      ch.force(false);
    } catch (IOException e) {
      try {
        ch.truncate(s.logBytes);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      closeChannel(s);
      throw e;
    }
    s.logBytes += batch.size();
    totalBytes += batch.size();
    if (s.lastSample == null || batch.timestamp().isAfter(s.lastSample)) {
      s.lastSample = batch.timestamp();
    }
    if (highWater == null || batch.timestamp().isAfter(highWater)) {
      highWater = batch.timestamp();
    }
    return Appended.WRITTEN;
  }

  /** Marks OPEN files whose hour ended at least {@code grace} ago as SEALING and returns them. */
  public synchronized List<SegmentKey> claimForSealing(Instant now, Duration grace) {
    List<SegmentKey> out = new ArrayList<>();
    for (Segment s : new ArrayList<>(segments.values())) {
      if (s.state == State.OPEN && s.logBytes == 0 && !now.isBefore(s.key.hourEnd().plus(grace))) {
        deleteSegment(s);
      }
    }
    boolean anyDue =
        segments.values().stream()
            .anyMatch(s -> s.state == State.OPEN && !now.isBefore(s.key.hourEnd().plus(grace)));
    if (anyDue && !persistHighWater()) {
      return out; // sealed files would take their last timestamps with them: not yet
    }
    for (Segment s : segments.values()) {
      if (s.state == State.OPEN && !now.isBefore(s.key.hourEnd().plus(grace))) {
        if (s.logBytes == 0) {
          continue; // created, but its only write failed: removed below, nothing to seal
        }
        closeChannel(s);
        if (writing == s) {
          writing = null;
        }
        s.state = State.SEALING;
        out.add(s.key);
      }
    }
    return out;
  }

  public synchronized void sealed(SegmentKey k, Sealer.Result r) {
    Segment s = require(k, State.SEALING);
    totalBytes -= s.bytes();
    s.logBytes = 0;
    s.gzBytes = r.gzBytes();
    s.md5Bytes = r.md5FileBytes();
    s.md5 = Optional.of(r.md5Base64());
    s.state = State.SEALED;
    totalBytes += s.bytes();
    if (r.badLines() > 0) {
      String rel = layout.relative(r.badLinesFile());
      UsageStatus.SetAsideFile f =
          new UsageStatus.SetAsideFile(
              rel,
              sizeOf(r.badLinesFile()),
              clock.instant(),
              r.badLines() + " damaged line(s) from " + layout.relative(layout.log(k)));
      UsageStatus.SetAsideFile before = setAside.put(rel, f);
      totalBytes += f.bytes() - (before == null ? 0 : before.bytes());
      reporter.setAside(rel, f.reason());
    }
  }

  /** Sealing failed: the file stays OPEN and is tried again next round. */
  public synchronized void sealFailed(SegmentKey k) {
    Segment s = require(k, State.SEALING);
    s.state = State.OPEN;
  }

  /** Hands out the oldest sealed file for upload (never a parked one). */
  public synchronized Optional<UploadJob> claimUpload() {
    if (closed) {
      return Optional.empty();
    }
    for (Segment s : segments.values()) {
      if (s.state == State.SEALED) {
        s.state = State.UPLOADING;
        return Optional.of(new UploadJob(s.key, layout.gz(s.key), s.md5, layout.sealedName(s.key)));
      }
    }
    return Optional.empty();
  }

  /** The MD5 of a sealed file whose sidecar was missing, after checking the file is intact. */
  public synchronized void md5Recovered(SegmentKey k, String md5) throws IOException {
    Segment s = require(k, State.UPLOADING);
    byte[] sidecar = (md5 + "\n").getBytes(StandardCharsets.US_ASCII);
    Durable.replaceFile(layout.md5(k), sidecar, io);
    totalBytes += sidecar.length - s.md5Bytes;
    s.md5Bytes = sidecar.length;
    s.md5 = Optional.of(md5);
  }

  /**
   * The store confirmed the upload: records it in the ledger (forced), then deletes the local file
   * or keeps it for the retention window. If the ledger cannot be written the file goes back to
   * SEALED and the error is thrown: it is uploaded again later, the same bytes to the same path.
   */
  public synchronized void uploaded(SegmentKey k, Ledger.Entry entry) throws IOException {
    Segment s = require(k, State.UPLOADING);
    try {
      ledger.append(entry);
    } catch (IOException e) {
      s.state = State.SEALED;
      throw e;
    }
    s.uploadedAt = entry.uploaded();
    s.remotePath = entry.remotePath();
    s.state = State.UPLOADED;
    if (retention.isZero()) {
      deleteSegment(s);
    }
  }

  /** A transient failure: back to SEALED, tried again after the backoff. */
  public synchronized void release(SegmentKey k) {
    Segment s = require(k, State.UPLOADING);
    s.state = State.SEALED;
  }

  public synchronized void park(SegmentKey k, String remotePath, String reason) {
    Segment s = require(k, State.UPLOADING);
    s.state = State.PARKED;
    s.remotePath = remotePath;
    s.parkReason = reason;
    s.parkedAt = clock.instant();
  }

  /**
   * Puts files parked at least {@code after} ago back in line for upload: a permanent refusal is
   * often fixed by an operator (a quota, a permission) without restarting the agent.
   */
  public synchronized int unparkDue(Instant now, Duration after) {
    int n = 0;
    for (Segment s : segments.values()) {
      if (s.state == State.PARKED && !s.parkedAt.plus(after).isAfter(now)) {
        log.info(
            "retrying the parked upload of {} (parked {}: {})",
            layout.sealedName(s.key),
            s.parkedAt,
            s.parkReason);
        s.state = State.SEALED;
        s.parkReason = null;
        s.parkedAt = null;
        n++;
      }
    }
    return n;
  }

  /** When the earliest parked file is due for another attempt, given {@code after}. */
  public synchronized Optional<Instant> nextUnpark(Duration after) {
    return segments.values().stream()
        .filter(s -> s.state == State.PARKED)
        .map(s -> s.parkedAt.plus(after))
        .min(Instant::compareTo);
  }

  /**
   * Checks an open hour file line by line before appending to it again; lines that are not its
   * records go to {@code corrupt/} with a WARN and a set-aside entry (status, metric).
   */
  private AdoptionCheck.Result adopt(SegmentKey k) throws IOException {
    Path file = layout.log(k);
    Path badFile =
        layout.corruptDir().resolve(layout.relative(file).replace('/', '-') + ".adopted-bad-lines");
    AdoptionCheck.Result a = AdoptionCheck.run(file, badFile, io);
    if (a.badLines() > 0) {
      String rel = layout.relative(badFile);
      String reason =
          a.badLines()
              + " line(s) of "
              + layout.relative(file)
              + " that are not its records (first: "
              + a.firstReason().orElse("?")
              + "); "
              + a.goodLines()
              + " good line(s) kept";
      log.warn(
          "adopting {}: moved {} line(s) to {} ({}); another writer or a damaged file;"
              + " {} good line(s) kept",
          file,
          a.badLines(),
          badFile,
          a.firstReason().orElse("?"),
          a.goodLines());
      setAside.put(
          rel, new UsageStatus.SetAsideFile(rel, sizeOf(badFile), clock.instant(), reason));
      reporter.setAside(rel, reason);
    }
    return a;
  }

  /** Moves a sealed file that failed its check (and its MD5 file) to {@code corrupt/}. */
  public synchronized void setAsideSealed(SegmentKey k, String reason) {
    Segment s = require(k, State.UPLOADING);
    Path gz = layout.gz(k);
    String name = layout.relative(gz).replace('/', '-');
    Path target = layout.corruptDir().resolve(name);
    try {
      Durable.createDirectories(layout.corruptDir());
      Durable.moveAtomically(gz, target);
      Durable.fsyncDirectory(layout.corruptDir());
      Durable.delete(layout.md5(k));
      Durable.fsyncDirectory(gz.getParent());
    } catch (IOException e) {
      log.error("cannot move corrupt {} aside: {}; parking it instead", gz, e.toString());
      s.state = State.PARKED;
      s.parkReason = "corrupt (" + reason + ") and cannot be moved aside: " + e;
      s.parkedAt = clock.instant();
      s.remotePath = "";
      return;
    }
    totalBytes -= s.bytes();
    segments.remove(k);
    String rel = layout.relative(target);
    UsageStatus.SetAsideFile f =
        new UsageStatus.SetAsideFile(rel, sizeOf(target), clock.instant(), reason);
    UsageStatus.SetAsideFile before = setAside.put(rel, f);
    totalBytes += f.bytes() - (before == null ? 0 : before.bytes());
    removeEmptyDirsQuietly(gz.getParent());
    reporter.setAside(rel, reason);
  }

  /** Deletes retained copies whose retention window has passed. */
  public synchronized void expireRetained(Instant now) {
    for (Segment s : new ArrayList<>(segments.values())) {
      if (s.state == State.UPLOADED && !now.isBefore(s.uploadedAt.plus(retention))) {
        deleteSegment(s);
      }
    }
  }

  /** Brings the spool under its cap (also done before every append). */
  public synchronized void enforceCap() {
    makeRoom(0, Optional.empty());
  }

  /** When the next OPEN file becomes due for sealing. */
  public synchronized Optional<Instant> nextSealDue(Duration grace) {
    Optional<Instant> next = Optional.empty();
    for (Segment s : segments.values()) {
      if (s.state == State.OPEN) {
        Instant due = s.key.hourEnd().plus(grace);
        if (next.isEmpty() || due.isBefore(next.get())) {
          next = Optional.of(due);
        }
      }
    }
    return next;
  }

  /** When the next retained copy expires. */
  public synchronized Optional<Instant> nextExpiry() {
    Optional<Instant> next = Optional.empty();
    for (Segment s : segments.values()) {
      if (s.state == State.UPLOADED) {
        Instant due = s.uploadedAt.plus(retention);
        if (next.isEmpty() || due.isBefore(next.get())) {
          next = Optional.of(due);
        }
      }
    }
    return next;
  }

  /** Whether anything is waiting to be sealed or uploaded (parked files excepted). */
  public synchronized boolean hasWork() {
    return segments.values().stream()
        .anyMatch(s -> s.state != State.UPLOADED && s.state != State.PARKED);
  }

  public synchronized Snapshot snapshot() {
    int files = 0;
    long bytes = 0;
    Optional<Instant> oldest = Optional.empty();
    List<UsageStatus.ParkedUpload> parked = new ArrayList<>();
    for (Segment s : segments.values()) {
      if (PENDING.contains(s.state)) {
        files++;
        bytes += s.bytes();
        if (oldest.isEmpty()) {
          oldest = Optional.of(s.key.hour());
        }
      }
      if (s.state == State.PARKED) {
        parked.add(
            new UsageStatus.ParkedUpload(
                layout.sealedName(s.key), s.remotePath, s.parkedAt, s.parkReason));
      }
    }
    return new Snapshot(files, bytes, oldest, totalBytes, parked, List.copyOf(setAside.values()));
  }

  @Override
  public synchronized void close() throws IOException {
    persistHighWater();
    closed = true;
    for (Segment s : segments.values()) {
      closeChannel(s);
    }
    writing = null;
    ledger.close();
  }

  /** Brings the state file up to the newest sample written; false if it cannot be written. */
  private boolean persistHighWater() {
    if (highWater == null || (persisted != null && !highWater.isAfter(persisted))) {
      return true;
    }
    try {
      state.write(highWater);
      persisted = highWater;
      return true;
    } catch (IOException e) {
      reporter.problem("spool", "cannot write " + layout.relative(layout.stateFile()) + ": " + e);
      log.error(
          "cannot write the sampler state {} (sealing waits for it): {}",
          layout.stateFile(),
          e.toString());
      return false;
    }
  }

  private SegmentKey writableSegment(SegmentKey base) {
    SegmentKey from = new SegmentKey(base.hour(), base.server(), 0);
    SegmentKey to = new SegmentKey(base.hour(), base.server(), SpoolLayout.MAX_SEGMENT);
    Segment open = null;
    for (Segment s : segments.subMap(from, true, to, true).values()) {
      if (s.state == State.OPEN) {
        open = s;
      }
    }
    if (open != null) {
      return open.key;
    }
    Integer highest = highestSegment.get(hourServer(base));
    int next = highest == null ? 0 : highest + 1;
    if (next > SpoolLayout.MAX_SEGMENT) {
      throw new IllegalStateException("no segment numbers left for " + base);
    }
    return new SegmentKey(base.hour(), base.server(), next);
  }

  /**
   * Frees space until {@code incoming} more bytes fit under the cap, in the order the issue fixes:
   * retained uploaded copies, then set-aside files, then the oldest un-uploaded files (never the
   * file the incoming sample goes to, nor one being sealed or uploaded right now).
   */
  private boolean makeRoom(long incoming, Optional<SegmentKey> target) {
    while (totalBytes + incoming > capBytes) {
      Segment retained = first(State.UPLOADED, target);
      if (retained != null) {
        log.info(
            "spool over its cap: deleting retained copy {} (already uploaded)",
            layout.gz(retained.key));
        deleteSegment(retained);
        continue;
      }
      if (!setAside.isEmpty()) {
        UsageStatus.SetAsideFile f = setAside.values().iterator().next();
        Path p = layout.root().resolve(f.file());
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.error("cannot delete set-aside file {}: {}", p, e.toString());
          return false;
        }
        setAside.remove(f.file());
        totalBytes -= f.bytes();
        reporter.droppedFile(
            f.file(),
            f.bytes(),
            "spool over its cap of " + capBytes + " bytes: set-aside file deleted");
        continue;
      }
      Segment victim = null;
      for (Segment s : segments.values()) {
        if ((s.state == State.SEALED || s.state == State.PARKED || s.state == State.OPEN)
            && target.map(t -> !t.equals(s.key)).orElse(true)) {
          victim = s;
          break;
        }
      }
      if (victim == null) {
        return incoming == 0 || totalBytes + incoming <= capBytes;
      }
      if (victim.state == State.OPEN) {
        persistHighWater(); // best effort: dropping data must not wait for the state file
      }
      String what =
          layout.relative(
              victim.state == State.OPEN ? layout.log(victim.key) : layout.gz(victim.key));
      long bytes = victim.bytes();
      if (!deleteSegment(victim)) {
        return false;
      }
      reporter.droppedFile(
          what,
          bytes,
          "spool over its cap of " + capBytes + " bytes: oldest un-uploaded file dropped");
    }
    return true;
  }

  private Segment first(State state, Optional<SegmentKey> except) {
    for (Segment s : segments.values()) {
      if (s.state == state && except.map(t -> !t.equals(s.key)).orElse(true)) {
        return s;
      }
    }
    return null;
  }

  private boolean deleteSegment(Segment s) {
    closeChannel(s);
    if (writing == s) {
      writing = null;
    }
    try {
      Files.deleteIfExists(layout.log(s.key));
      Files.deleteIfExists(layout.gz(s.key));
      Files.deleteIfExists(layout.md5(s.key));
      Path dir = layout.hourDir(s.key.hour());
      if (Files.isDirectory(dir)) {
        Durable.fsyncDirectory(dir);
      }
    } catch (IOException e) {
      log.error("cannot delete {}: {}", layout.gz(s.key), e.toString());
      reporter.problem("spool", "cannot delete " + layout.relative(layout.gz(s.key)) + ": " + e);
      return false;
    }
    totalBytes -= s.bytes();
    segments.remove(s.key);
    removeEmptyDirsQuietly(layout.hourDir(s.key.hour()));
    return true;
  }

  private void noteSegment(SegmentKey k) {
    highestSegment.merge(hourServer(k), k.segment(), Math::max);
  }

  private static String hourServer(SegmentKey k) {
    return k.hour().toEpochMilli() + "/" + k.server();
  }

  private Segment require(SegmentKey k, State expected) {
    Segment s = segments.get(k);
    if (s == null || s.state != expected) {
      throw new IllegalStateException(
          k + " is " + (s == null ? "gone" : s.state) + ", expected " + expected);
    }
    return s;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the spool is closed");
    }
  }

  private void closeChannel(Segment s) {
    if (s.channel != null) {
      try {
        s.channel.close();
      } catch (IOException e) {
        log.debug("closing {}: {}", s.key, e.toString());
      }
      s.channel = null;
    }
  }

  private List<Path> hourDirs() throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path y : list(layout.root())) {
      for (Path m : list(y)) {
        for (Path d : list(m)) {
          for (Path h : list(d)) {
            if (SpoolLayout.hourOf(name(y), name(m), name(d), name(h)).isPresent()) {
              out.add(h);
            }
          }
        }
      }
    }
    return out;
  }

  private static List<Path> list(Path dir) throws IOException {
    TreeSet<Path> out = new TreeSet<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : s) {
        String n = name(p);
        if (n.chars().allMatch(Character::isDigit)) {
          out.add(p);
        }
      }
    }
    return new ArrayList<>(out);
  }

  private Instant hourOf(Path hourDir) {
    Path d = hourDir.getParent();
    Path m = d.getParent();
    Path y = m.getParent();
    return SpoolLayout.hourOf(name(y), name(m), name(d), name(hourDir)).orElseThrow();
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  private void scanSetAside() throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(layout.corruptDir())) {
      for (Path p : s) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
          continue;
        }
        String rel = layout.relative(p);
        setAside.putIfAbsent(
            rel,
            new UsageStatus.SetAsideFile(
                rel, a.size(), a.lastModifiedTime().toInstant(), "set aside earlier"));
      }
    }
  }

  /** Removes the hour directory and its parents up to the spool root while they are empty. */
  private void removeEmptyDirs(Path dir) throws IOException {
    for (Path d = dir;
        d != null && d.startsWith(layout.root()) && !d.equals(layout.root());
        d = d.getParent()) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
        if (s.iterator().hasNext()) {
          return;
        }
      }
      Files.delete(d);
      Durable.fsyncDirectory(d.getParent());
    }
  }

  private void removeEmptyDirsQuietly(Path dir) {
    try {
      removeEmptyDirs(dir);
    } catch (IOException e) {
      log.debug("cannot remove empty directory {}: {}", dir, e.toString());
    }
  }

  private static Optional<String> readMd5(Path p) {
    try {
      String s = Files.readString(p, StandardCharsets.US_ASCII).trim();
      return Md5.isMd5(s) ? Optional.of(s) : Optional.empty();
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }
}
