package io.vminfo.fleet.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one server's usage spool (DESIGN section 7) in whole samples: a sample ends with its
 * summary line, and only complete samples are returned, so what is published is never the torn tail
 * the recorder cuts at its next start. A file read as {@code .log} is read on as its {@code
 * .log.gz} once sealed (same bytes, same offsets).
 */
public final class SpoolReader {
  private static final Logger log = LoggerFactory.getLogger(SpoolReader.class);
  // the hardened reader (nesting, string and number limits): records from other hosts and files
  // on disk are input like any other
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path spool;
  private final String server;
  private final int maxBytes;

  public SpoolReader(Path spool, String server, int maxBytes) {
    this.spool = Objects.requireNonNull(spool, "spool");
    this.server = Objects.requireNonNull(server, "server");
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("maxBytes must be >= 1024");
    }
    this.maxBytes = maxBytes;
  }

  /** This server's spool files ({@code .log} or {@code .log.gz}), oldest first. */
  public List<SpoolFileKey> files() throws IOException {
    TreeSet<SpoolFileKey> keys = new TreeSet<>();
    if (!Files.isDirectory(spool)) {
      return List.of();
    }
    try (Stream<Path> s = Files.find(spool, 5, (p, a) -> a.isRegularFile())) {
      s.forEach(
          p -> {
            String rel = spool.relativize(p).toString().replace('\\', '/');
            if (rel.endsWith(".log.gz")) {
              rel = rel.substring(0, rel.length() - 3);
            }
            if (!rel.endsWith(".log")) {
              return;
            }
            try {
              SpoolFileKey k = SpoolFileKey.parse(rel);
              if (k.server().equals(server)) {
                keys.add(k);
              }
            } catch (IllegalArgumentException notOurs) {
              // ledger/, state/, corrupt/ and other servers' files are not records of this host
            }
          });
    } catch (java.io.UncheckedIOException e) {
      // A directory removed while listed (an hour uploaded and cleaned up): list again next time.
      throw e.getCause();
    }
    return List.copyOf(keys);
  }

  /** One usage or summary line with its record key. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier handed to the producer, never compared
  public record Line(String key, byte[] value, boolean summary) {}

  /**
   * Complete samples read.
   *
   * @param endOffset offset after the last returned sample (the start offset when none)
   * @param lastTimestamp the last returned summary's timestamp (or the one passed in)
   * @param sealed whether the file was read from its sealed {@code .log.gz} (it grows no more)
   * @param exists false when neither the {@code .log} nor the {@code .log.gz} is there
   * @param atEnd whether everything after {@code endOffset} was read (no more complete samples now)
   */
  public record Chunk(
      List<Line> lines,
      long endOffset,
      String lastTimestamp,
      boolean sealed,
      boolean exists,
      boolean atEnd,
      int badLines) {}

  /**
   * Reads complete samples of {@code file} from {@code offset}, skipping samples stamped at or
   * before {@code after} (already published).
   */
  public Chunk read(SpoolFileKey file, long offset, String after) throws IOException {
    Path logFile = spool.resolve(file.relative());
    Path gz = spool.resolve(file.relative() + ".gz");
    byte[] data;
    boolean sealed = false;
    try {
      data = readPlain(logFile, offset);
    } catch (NoSuchFileException e) {
      try {
        data = readGz(gz, offset);
        sealed = true;
      } catch (NoSuchFileException e2) {
        return new Chunk(List.of(), offset, after, true, false, true, 0);
      }
    }
    List<Line> out = new ArrayList<>();
    List<Line> sample = new ArrayList<>();
    int pos = 0;
    long end = offset;
    String last = after;
    int bad = 0;
    boolean full = data.length >= maxBytes;
    while (true) {
      int nl = indexOf(data, pos);
      if (nl < 0) {
        break;
      }
      byte[] line = java.util.Arrays.copyOfRange(data, pos, nl);
      pos = nl + 1;
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException e) {
        n = null;
      }
      if (n == null || !n.path("timestamp").isTextual() || !n.path("type").isTextual()) {
        bad++;
        continue;
      }
      String ts = n.get("timestamp").asText();
      boolean summary = "summary".equals(n.get("type").asText());
      String key = server + "/" + (summary ? "summary" : n.path("uuid").asText("")) + "/" + ts;
      sample.add(new Line(key, line, summary));
      if (summary) {
        if (ts.compareTo(last) > 0) {
          out.addAll(sample);
          last = ts;
        }
        sample.clear();
        end = offset + pos;
      }
    }
    if (bad > 0) {
      log.warn(
          "{}: {} line(s) that are not usage records skipped (the recorder sets them aside)",
          file.relative(),
          bad);
    }
    boolean atEnd = !full || end == offset + data.length;
    return new Chunk(out, end, last, sealed, true, atEnd, bad);
  }

  private static int indexOf(byte[] d, int from) {
    for (int i = from; i < d.length; i++) {
      if (d[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private byte[] readPlain(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset > size) {
        // The file was rewritten shorter (the recorder's start-up repair): read it from the start;
        // the timestamp check skips what was published.
        offset = 0;
      }
      int len = (int) Math.min(size - offset, maxBytes);
      ByteBuffer b = ByteBuffer.allocate(len);
      while (b.hasRemaining()) {
        if (ch.read(b, offset + b.position()) < 0) {
          break;
        }
      }
      return java.util.Arrays.copyOf(b.array(), b.position());
    }
  }

  private byte[] readGz(Path file, long offset) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 65536)) {
      long left = offset;
      while (left > 0) {
        long k = in.skip(left);
        if (k <= 0) {
          if (in.read() < 0) {
            return new byte[0];
          }
          k = 1;
        }
        left -= k;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[65536];
      int n;
      while (out.size() < maxBytes
          && (n = in.read(buf, 0, Math.min(buf.length, maxBytes - out.size()))) > 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
