package io.vminfo.usage.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vminfo.core.VmUsage;
import io.vminfo.usage.UsageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Writes records of schema v1 (DESIGN section 7) with the keys in contract order. Unknown values
 * are left out. One sample becomes one {@link Batch}: its usage lines, then the summary line, which
 * is what marks the sample complete in a file (see {@link TailRepair}).
 */
public final class RecordCodec {
  /** Every summary line starts with exactly these bytes, followed by the timestamp. */
  public static final String SUMMARY_PREFIX = "{\"v\":1,\"type\":\"summary\",\"timestamp\":\"";

  /** Every record line starts with this. */
  public static final String RECORD_PREFIX = "{\"v\":1,\"type\":\"";

  private static final JsonFactory JSON = new JsonFactoryBuilder().rootValueSeparator((String) null).build();

  private RecordCodec() {}

  /** One usage record as compact JSON, no newline. */
  public static byte[] usageLine(UsageRecord r) {
    ByteArrayBuilder out = new ByteArrayBuilder(1024);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writeUsage(g, r, IsoTime.format(r.timestamp()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * One sample: every usage record (all with {@code timestamp}) then the summary. The records must
   * share the timestamp, server and datacenter given.
   */
  public static Batch encode(
      Instant timestamp,
      String serverUuid,
      Optional<String> datacenterName,
      List<UsageRecord> records,
      long runtimeMs) {
    String ts = IsoTime.format(timestamp);
    ByteArrayBuilder out = new ByteArrayBuilder(Math.max(1024, records.size() * 640));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      for (UsageRecord r : records) {
        if (!r.timestamp().equals(timestamp) || !r.serverUuid().equals(serverUuid)
            || !r.datacenterName().equals(datacenterName)) {
          throw new IllegalArgumentException("record of " + r.uuid() + " is not of this sample");
        }
        writeUsage(g, r, ts);
        g.writeRaw('\n');
      }
      g.writeStartObject();
      g.writeNumberField("v", 1);
      g.writeStringField("type", "summary");
      g.writeStringField("timestamp", ts);
      g.writeStringField("server_uuid", serverUuid);
      if (datacenterName.isPresent()) {
        g.writeStringField("datacenter_name", datacenterName.get());
      }
      g.writeNumberField("vm_count", records.size());
      g.writeNumberField("runtime_ms", Math.max(0, runtimeMs));
      g.writeEndObject();
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Batch(timestamp, out.toByteArray(), records.size());
  }

  /** The timestamp of a summary line, if {@code line} is one (newline excluded). */
  public static Optional<Instant> summaryTimestamp(byte[] buf, int from, int to) {
    byte[] prefix = SUMMARY_PREFIX.getBytes(StandardCharsets.US_ASCII);
    int tsLen = "2026-11-22T10:01:00.000Z".length();
    if (to - from < prefix.length + tsLen + 2 || buf[to - 1] != '}') {
      return Optional.empty();
    }
    for (int i = 0; i < prefix.length; i++) {
      if (buf[from + i] != prefix[i]) {
        return Optional.empty();
      }
    }
    String ts = new String(buf, from + prefix.length, tsLen, StandardCharsets.US_ASCII);
    return IsoTime.parse(ts);
  }

  private static void writeUsage(JsonGenerator g, UsageRecord r, String ts) throws IOException {
    g.writeStartObject();
    g.writeNumberField("v", 1);
    g.writeStringField("type", "usage");
    g.writeStringField("timestamp", ts);
    g.writeStringField("server_uuid", r.serverUuid());
    text(g, "datacenter_name", r.datacenterName());
    g.writeStringField("uuid", r.uuid());
    text(g, "alias", r.alias());
    text(g, "brand", r.brand());
    text(g, "owner_uuid", r.ownerUuid());
    text(g, "image_uuid", r.imageUuid());
    text(g, "package_uuid", r.packageUuid());
    text(g, "status", r.status());
    number(g, "max_physical_memory", r.maxPhysicalMemory());
    number(g, "vcpus", r.vcpus());
    number(g, "quota", r.quota());
    VmUsage u = r.usage();
    if (!u.nics().isEmpty()) {
      g.writeObjectFieldStart("network_usage");
      for (Map.Entry<String, VmUsage.NicUsage> e : u.nics().entrySet()) {
        VmUsage.NicUsage n = e.getValue();
        g.writeObjectFieldStart(e.getKey());
        if (!n.interfaceName().isEmpty()) {
          g.writeStringField("interface", n.interfaceName());
        }
        number(g, "received_bytes", n.receivedBytes());
        number(g, "sent_bytes", n.sentBytes());
        number(g, "received_packets", n.receivedPackets());
        number(g, "sent_packets", n.sentPackets());
        g.writeStringField("counter_start", IsoTime.format(n.counterStart()));
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    if (u.cpu().isPresent()) {
      VmUsage.CpuUsage cpu = u.cpu().get();
      g.writeObjectFieldStart("cpu_usage");
      g.writeFieldName("cpu_seconds");
      g.writeNumber(seconds(cpu.cpuSeconds()));
      g.writeStringField("counter_start", IsoTime.format(cpu.counterStart()));
      g.writeEndObject();
    }
    if (u.memory().isPresent()) {
      g.writeObjectFieldStart("memory_usage");
      g.writeNumberField("rss_bytes", u.memory().get().rssBytes());
      g.writeEndObject();
    }
    if (!u.disks().isEmpty()) {
      g.writeObjectFieldStart("disk_usage");
      for (Map.Entry<String, VmUsage.DiskUsage> e : u.disks().entrySet()) {
        g.writeObjectFieldStart(e.getKey());
        number(g, "used_bytes", e.getValue().usedBytes());
        number(g, "size_bytes", e.getValue().sizeBytes());
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /** CPU seconds with at most microsecond digits, plain notation ({@code 12.5}, never {@code 1.25E1}). */
  static String seconds(double s) {
    return BigDecimal.valueOf(s).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  private static void text(JsonGenerator g, String key, Optional<String> value) throws IOException {
    if (value.isPresent()) {
      g.writeStringField(key, value.get());
    }
  }

  private static void number(JsonGenerator g, String key, OptionalLong value) throws IOException {
    if (value.isPresent()) {
      g.writeNumberField(key, value.getAsLong());
    }
  }
}
