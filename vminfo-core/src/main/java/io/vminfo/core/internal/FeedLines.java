package io.vminfo.core.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vminfo.core.VmEvent;
import io.vminfo.core.text.IsoMillis;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * Writes feed lines (DESIGN section 4) byte by byte, so that a VM's serialization is copied in as
 * is rather than re-encoded, and key order is exactly vminfod's.
 */
public final class FeedLines {
  private FeedLines() {}

  public static byte[] event(VmEvent e, Optional<byte[]> vmBytes, Optional<byte[]> changesJson) {
    Line line = new Line(256 + vmBytes.map(b -> b.length).orElse(0));
    line.begin("type", e.type().wireName());
    line.string("date", IsoMillis.format(e.date()));
    e.zonename().ifPresent(z -> line.string("zonename", z));
    line.string("uuid", e.uuid());
    vmBytes.ifPresent(b -> line.raw("vm", b));
    changesJson.ifPresent(c -> line.raw("changes", c));
    line.number("rev", e.rev());
    return line.end();
  }

  /**
   * The ready line. {@code vms} is the JSON array of the snapshot encoded again as a JSON string, a
   * vminfod quirk kept for its clients.
   */
  public static byte[] ready(
      String listenerId,
      Collection<byte[]> vms,
      long rev,
      String epoch,
      Instant date,
      boolean resync) {
    int size = 2;
    for (byte[] vm : vms) {
      size += vm.length + 1;
    }
    ByteArrayOutputStream array = new ByteArrayOutputStream(size);
    array.write('[');
    boolean first = true;
    for (byte[] vm : vms) {
      if (!first) {
        array.write(',');
      }
      first = false;
      array.writeBytes(vm);
    }
    array.write(']');
    String arrayText = array.toString(StandardCharsets.UTF_8);

    Line line = new Line(size + size / 8 + 256);
    line.begin("type", "ready");
    line.string("date", IsoMillis.format(date));
    line.string("uuid", listenerId);
    line.string("vms", arrayText);
    line.number("rev", rev);
    line.string("epoch", epoch);
    if (resync) {
      line.bool("resync", true);
    }
    return line.end();
  }

  public static byte[] resumed(String listenerId, long rev, String epoch, Instant date) {
    Line line = new Line(160);
    line.begin("type", "resumed");
    line.string("date", IsoMillis.format(date));
    line.string("uuid", listenerId);
    line.number("rev", rev);
    line.string("epoch", epoch);
    return line.end();
  }

  public static byte[] heartbeat(long rev, Instant date) {
    Line line = new Line(80);
    line.begin("type", "heartbeat");
    line.string("date", IsoMillis.format(date));
    line.number("rev", rev);
    return line.end();
  }

  /** One JSON object on one line, built field by field. */
  private static final class Line {
    private final ByteArrayOutputStream out;

    Line(int sizeHint) {
      out = new ByteArrayOutputStream(sizeHint);
    }

    void begin(String key, String value) {
      out.write('{');
      key(key);
      quoted(value);
    }

    void string(String key, String value) {
      out.write(',');
      key(key);
      quoted(value);
    }

    void number(String key, long value) {
      out.write(',');
      key(key);
      out.writeBytes(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    void bool(String key, boolean value) {
      out.write(',');
      key(key);
      out.writeBytes((value ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
    }

    void raw(String key, byte[] json) {
      out.write(',');
      key(key);
      out.writeBytes(json);
    }

    byte[] end() {
      out.write('}');
      out.write('\n');
      return out.toByteArray();
    }

    private void key(String key) {
      quoted(key);
      out.write(':');
    }

    private void quoted(String s) {
      out.write('"');
      out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(s));
      out.write('"');
    }
  }
}
