package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.agent.Job;
import io.vminfo.agent.JobState;
import io.vminfo.core.GuestAction;
import io.vminfo.core.internal.Json;
import io.vminfo.core.text.IsoMillis;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable job log: one JSON line per job state change, fsynced before the change is told to
 * anyone, so a job the API answered for is never lost. The last line of a job wins. When the file
 * has grown to twice the jobs it holds (and at open) it is rewritten, keeping the unfinished jobs
 * and the last {@code keep} finished ones, through a temp file renamed over it, so a crash leaves
 * the old or the new file, never half of one. A torn last line (a crash mid-append) is skipped.
 */
public final class JobLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobLog.class);

  /** A line longer than this is not one of ours. */
  private static final int MAX_LINE = 64 * 1024;

  private final Path file;
  private final int keep;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private FileChannel out;
  private long lines;
  private int skipped;

  private JobLog(Path file, int keep) {
    this.file = file;
    this.keep = keep;
  }

  /**
   * Opens (or creates) the log and replays it. Jobs that were queued or running when the last agent
   * died are finished as {@link JobState#ERROR} "agent restarted" at {@code now}.
   */
  public static JobLog open(Path file, int keep, Instant now) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
    JobLog jl = new JobLog(file, keep);
    jl.replay(now);
    return jl;
  }

  /** Every job in the log (oldest first), at most the unfinished ones plus {@code keep}. */
  public synchronized List<Job> jobs() {
    return List.copyOf(jobs.values());
  }

  /** Lines of the file that could not be read at open (torn or foreign). */
  public synchronized int skippedLines() {
    return skipped;
  }

  /** Records a job's new state durably (written and fsynced before this returns). */
  public synchronized void record(Job job) throws IOException {
    jobs.remove(job.id());
    jobs.put(job.id(), job);
    trim();
    byte[] line = line(job);
    ByteBuffer buf = ByteBuffer.wrap(line);
    while (buf.hasRemaining()) {
      out.write(buf);
    }
    out.force(false);
    lines++;
    if (lines > 2L * Math.max(jobs.size(), 16)) {
      compact();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }

  private void replay(Instant now) throws IOException {
    if (Files.exists(file)) {
      List<String> all;
      try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        all = in.lines().toList();
      }
      for (String l : all) {
        if (l.isBlank()) {
          continue;
        }
        try {
          if (l.length() > MAX_LINE) {
            throw new IOException("line longer than " + MAX_LINE);
          }
          Job j = parse(Json.MAPPER.readTree(l));
          jobs.remove(j.id());
          jobs.put(j.id(), j);
        } catch (IOException | RuntimeException e) {
          skipped++;
          log.warn("job log {}: skipped a line that is not a job ({})", file, e.getMessage());
        }
      }
    }
    // A job finished now counts as the newest change, so the bound keeps it over older ones.
    for (Job j : List.copyOf(jobs.values())) {
      if (!j.state().finished()) {
        log.warn(
            "job {} ({} of {}) was {} when the agent stopped; it is Error now",
            j.id(),
            j.action().wireName(),
            j.vmUuid(),
            j.state().wireName());
        jobs.remove(j.id());
        jobs.put(
            j.id(),
            j.finished(JobState.ERROR, now, Optional.of("agent restarted"), Optional.empty()));
      }
    }
    trim();
    compact();
  }

  /** Drops the oldest finished jobs beyond {@code keep}. */
  private void trim() {
    long finished = jobs.values().stream().filter(j -> j.state().finished()).count();
    var it = jobs.values().iterator();
    while (finished > keep && it.hasNext()) {
      if (it.next().state().finished()) {
        it.remove();
        finished--;
      }
    }
  }

  private void compact() throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (Job j : jobs.values()) {
        ByteBuffer buf = ByteBuffer.wrap(line(j));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    }
    if (out != null) {
      out.close();
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(dir);
    out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    lines = jobs.size();
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some filesystems refuse to fsync a directory; the rename is still atomic there
    }
  }

  static byte[] line(Job j) {
    byte[] body = Json.bytes(toJson(j));
    byte[] l = new byte[body.length + 1];
    System.arraycopy(body, 0, l, 0, body.length);
    l[body.length] = '\n';
    return l;
  }

  /** The job as the API and the log show it. */
  public static ObjectNode toJson(Job j) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("id", j.id());
    o.put("vm_uuid", j.vmUuid());
    o.put("action", j.action().wireName());
    o.put("requester", j.requester());
    o.put("status", j.state().wireName());
    o.put("created_at", IsoMillis.format(j.createdAt()));
    j.startedAt().ifPresent(t -> o.put("started_at", IsoMillis.format(t)));
    j.finishedAt().ifPresent(t -> o.put("finished_at", IsoMillis.format(t)));
    j.message().ifPresent(m -> o.put("message", m));
    j.vmState().ifPresent(s -> o.put("vm_state", s));
    return o;
  }

  static Job parse(JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("not an object");
    }
    return new Job(
        text(n, "id"),
        text(n, "vm_uuid"),
        GuestAction.fromWireName(text(n, "action")),
        text(n, "requester"),
        JobState.fromWireName(text(n, "status")),
        IsoMillis.parse(text(n, "created_at")),
        opt(n, "started_at").map(IsoMillis::parse),
        opt(n, "finished_at").map(IsoMillis::parse),
        opt(n, "message"),
        opt(n, "vm_state"));
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("no " + key);
    }
    return v.asText();
  }

  private static Optional<String> opt(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || !v.isTextual() ? Optional.empty() : Optional.of(v.asText());
  }

  /** For tests: the lines in the file now. */
  List<String> fileLines() throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }
}
