package io.vminfo.alarms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.alarms.AlarmNotice;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code alarms-outbox.jsonl}: notices not yet delivered, per notifier. Each {@code add} and {@code
 * done} is one fsynced line, so a notice accepted here survives a crash and one delivered is not
 * sent again at start; the file is rewritten with only the pending entries once enough {@code done}
 * lines pile up. A torn last line (crash mid-write) is skipped with a warning.
 */
public final class Outbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  public static final String NAME = "alarms-outbox.jsonl";
  static final int COMPACT_AFTER = 256;

  public record Entry(String notifier, AlarmNotice notice) {}

  private final Path file;
  private final int maxPendingPerNotifier;
  private final Map<String, Entry> pending = new LinkedHashMap<>();
  private FileChannel channel;
  private int doneLines;

  public Outbox(Path dir, int maxPendingPerNotifier) throws IOException {
    this.file = dir.resolve(NAME);
    this.maxPendingPerNotifier = maxPendingPerNotifier;
    replay();
    compact();
  }

  private void replay() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode o = Json.MAPPER.readTree(line);
        String op = Codec.text(o, "op");
        String notifier = Codec.text(o, "notifier");
        if (op.equals("add")) {
          AlarmNotice notice = Codec.notice(Codec.require(o, "notice"));
          pending.put(key(notifier, notice.deliveryId()), new Entry(notifier, notice));
        } else if (op.equals("done")) {
          pending.remove(key(notifier, Codec.text(o, "delivery_id")));
        } else {
          throw new IllegalArgumentException("unknown op '" + op + "'");
        }
      } catch (IOException | RuntimeException e) {
        log.warn("outbox {} line {} skipped: {}", file, n, e.getMessage());
      }
    }
    if (!pending.isEmpty()) {
      log.info("outbox {}: {} notice(s) still to deliver", file, pending.size());
    }
  }

  /**
   * Records a notice for a notifier; false (and an error log) if that notifier's backlog is full.
   */
  public synchronized boolean add(String notifier, AlarmNotice notice) throws IOException {
    long forNotifier = pending.values().stream().filter(e -> e.notifier().equals(notifier)).count();
    if (forNotifier >= maxPendingPerNotifier) {
      log.error(
          "outbox for notifier {} holds {} undelivered notices; dropping {} {} of alarm {}",
          notifier,
          forNotifier,
          notice.kind().wireName(),
          notice.alarm().rule().id(),
          notice.alarm().id());
      return false;
    }
    ObjectNode o = Json.NODES.objectNode();
    o.put("op", "add");
    o.put("notifier", notifier);
    o.set("notice", Codec.notice(notice));
    append(o);
    pending.put(key(notifier, notice.deliveryId()), new Entry(notifier, notice));
    return true;
  }

  public synchronized void done(String notifier, String deliveryId) throws IOException {
    if (pending.remove(key(notifier, deliveryId)) == null) {
      return;
    }
    ObjectNode o = Json.NODES.objectNode();
    o.put("op", "done");
    o.put("notifier", notifier);
    o.put("delivery_id", deliveryId);
    append(o);
    if (++doneLines >= COMPACT_AFTER) {
      compact();
    }
  }

  /** The pending entries of one notifier, oldest first. */
  public synchronized List<Entry> pending(String notifier) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : pending.values()) {
      if (e.notifier().equals(notifier)) {
        out.add(e);
      }
    }
    return out;
  }

  public synchronized int size() {
    return pending.size();
  }

  private void append(ObjectNode o) throws IOException {
    byte[] line = (Json.string(o) + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.wrap(line);
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    channel.force(false);
  }

  private synchronized void compact() throws IOException {
    if (channel != null) {
      channel.close();
    }
    StringBuilder sb = new StringBuilder();
    for (Entry e : pending.values()) {
      ObjectNode o = Json.NODES.objectNode();
      o.put("op", "add");
      o.put("notifier", e.notifier());
      o.set("notice", Codec.notice(e.notice()));
      sb.append(Json.string(o)).append('\n');
    }
    DurableFiles.replace(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    doneLines = 0;
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private static String key(String notifier, String deliveryId) {
    return notifier + "\u0000" + deliveryId;
  }
}
