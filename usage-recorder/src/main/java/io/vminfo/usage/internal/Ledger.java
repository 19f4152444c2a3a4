package io.vminfo.usage.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.json.HardenedJson;
import io.vminfo.core.text.IsoMillis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of confirmed uploads: one JSON line per sealed file the store acknowledged with the
 * same MD5, appended and forced before the local file is deleted. Each line ends with a CRC-32C of
 * its content, so damage is detected even where the line still parses.
 *
 * <p>At open, a torn last line (a crash while appending) is cut: that upload was never confirmed
 * and will be repeated with the same bytes to the same path. Any other bad line means the ledger is
 * corrupt: the file is set aside under {@code corrupt/}, and a new ledger is written with every
 * entry that is still good.
 */
public final class Ledger implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ledger.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = HardenedJson.UNTRUSTED.mapper();
  private static final String CRC_KEY = ",\"crc\":\"";

  /** One confirmed upload. {@code file} is the spool-relative name of the sealed file. */
  public record Entry(
      String file, String remotePath, String md5Base64, long bytes, Instant uploaded) {}

  /** What opening found. */
  public record OpenResult(int entries, long tornBytes, Optional<Path> setAside, int badLines) {}

  private final Path file;
  private final Path corruptDir;
  private final FileChannels io;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private FileChannel channel;
  private long size;

  public Ledger(Path file, Path corruptDir, FileChannels io) {
    this.file = file;
    this.corruptDir = corruptDir;
    this.io = io;
  }

  public synchronized OpenResult open(Instant now) throws IOException {
    Durable.createDirectories(file.getParent());
    entries.clear();
    byte[] content = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
    int end = content.length;
    long torn = 0;
    int lastNl = lastIndexOf(content, (byte) '\n');
    if (lastNl + 1 < end) {
      torn = (long) end - (lastNl + 1);
      end = lastNl + 1;
    }
    List<Entry> good = new ArrayList<>();
    int bad = 0;
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (content[i] == '\n') {
        Optional<Entry> e =
            parseLine(new String(content, start, i - start, StandardCharsets.UTF_8));
        if (e.isPresent()) {
          good.add(e.get());
        } else {
          bad++;
        }
        start = i + 1;
      }
    }
    Optional<Path> setAside = Optional.empty();
    if (bad > 0) {
      Durable.createDirectories(corruptDir);
      Path aside = corruptDir.resolve("ledger-" + now.toEpochMilli() + ".jsonl");
      Durable.moveAtomically(file, aside);
      Durable.fsyncDirectory(corruptDir);
      setAside = Optional.of(aside);
      ByteArrayBuilder out = new ByteArrayBuilder();
      for (Entry e : good) {
        out.write(line(e));
      }
      Durable.replaceFile(file, out.toByteArray(), io);
      log.error(
          "usage ledger {} had {} corrupt line(s): set aside as {}, kept {} good entries",
          file,
          bad,
          aside,
          good.size());
    }
    for (Entry e : good) {
      entries.put(e.file(), e);
    }
    channel = io.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    size = channel.size();
    if (bad == 0 && torn > 0) {
      channel.truncate(end);
      channel.force(true);
      size = end;
      log.warn(
          "usage ledger {}: cut a torn last line of {} bytes (an upload that was not confirmed)",
          file,
          torn);
    }
    Durable.fsyncDirectory(file.getParent());
    return new OpenResult(entries.size(), torn, setAside, bad);
  }

  public synchronized Optional<Entry> get(String sealedName) {
    return Optional.ofNullable(entries.get(sealedName));
  }

  public synchronized Collection<Entry> entries() {
    return Collections.unmodifiableCollection(new ArrayList<>(entries.values()));
  }

  /** Appends and forces one entry; on failure the ledger is as before and the error is thrown. */
  public synchronized void append(Entry e) throws IOException {
    if (channel == null) {
      throw new IllegalStateException("ledger not open");
    }
    byte[] bytes = line(e);
    try {
      if (channel.size() != size) {
        channel.truncate(size);
      }
      Durable.writeFully(channel, ByteBuffer.wrap(bytes), size);
      channel.force(false);
    } catch (IOException ex) {
      try {
        channel.truncate(size);
      } catch (IOException ignored) {
        // Checked again before the next append.
      }
      throw ex;
    }
    size += bytes.length;
    entries.put(e.file(), e);
  }

  /**
   * Rewrites the ledger with only the entries {@code keep} accepts, when that drops at least {@code
   * minDrop} of them (so a start does not rewrite it for a handful); returns how many went. The new
   * ledger replaces the old atomically: a crash leaves one or the other, whole.
   */
  public synchronized int compact(Predicate<Entry> keep, int minDrop) throws IOException {
    if (channel == null) {
      throw new IllegalStateException("ledger not open");
    }
    List<Entry> kept = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (keep.test(e)) {
        kept.add(e);
      }
    }
    int dropped = entries.size() - kept.size();
    if (dropped < Math.max(1, minDrop)) {
      return 0;
    }
    ByteArrayBuilder out = new ByteArrayBuilder();
    for (Entry e : kept) {
      out.write(line(e));
    }
    // Appends go to the file by this name: after the rename, a channel on the old one would not.
    channel.close();
    try {
      Durable.replaceFile(file, out.toByteArray(), io);
    } finally {
      channel = io.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      size = channel.size();
    }
    entries.clear();
    for (Entry e : kept) {
      entries.put(e.file(), e);
    }
    return dropped;
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  static byte[] line(Entry e) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("v", 1);
      g.writeStringField("file", e.file());
      g.writeStringField("remote", e.remotePath());
      g.writeStringField("md5", e.md5Base64());
      g.writeNumberField("bytes", e.bytes());
      g.writeStringField("uploaded", IsoMillis.format(e.uploaded()));
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    byte[] obj = out.toByteArray();
    // Drop the closing brace, add the CRC of everything before it, close again.
    String body = new String(obj, 0, obj.length - 1, StandardCharsets.UTF_8);
    return (body + CRC_KEY + crc(body) + "\"}\n").getBytes(StandardCharsets.UTF_8);
  }

  static Optional<Entry> parseLine(String line) {
    int at = line.lastIndexOf(CRC_KEY);
    if (at < 0 || !line.endsWith("\"}")) {
      return Optional.empty();
    }
    String body = line.substring(0, at);
    String crc = line.substring(at + CRC_KEY.length(), line.length() - 2);
    if (!crc.equals(crc(body))) {
      return Optional.empty();
    }
    try {
      JsonNode n = MAPPER.readTree(body + "}");
      if (n == null || n.path("v").asInt() != 1) {
        return Optional.empty();
      }
      String file = n.path("file").asText("");
      String remote = n.path("remote").asText("");
      String md5 = n.path("md5").asText("");
      Optional<Instant> uploaded = IsoMillis.tryParse(n.path("uploaded").asText(""));
      if (SpoolLayout.parseRelative(file).isEmpty()
          || remote.isEmpty()
          || !Md5.isMd5(md5)
          || !n.path("bytes").canConvertToLong()
          || uploaded.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Entry(file, remote, md5, n.path("bytes").asLong(), uploaded.get()));
    } catch (IOException ex) {
      return Optional.empty();
    }
  }

  private static String crc(String body) {
    CRC32C c = new CRC32C();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x", c.getValue());
  }

  private static int lastIndexOf(byte[] a, byte b) {
    for (int i = a.length - 1; i >= 0; i--) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
