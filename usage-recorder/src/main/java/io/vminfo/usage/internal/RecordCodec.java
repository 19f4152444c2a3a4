package io.vminfo.usage.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vminfo.core.VmUsage;
import io.vminfo.core.text.IsoMillis;
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

  private static final JsonFactory JSON =
      new JsonFactoryBuilder().rootValueSeparator((String) null).build();

  // Keys encoded once: a sample of 10,000 VMs writes some 300,000 of them.
  private static final SerializedString K_ALIAS = new SerializedString("alias");
  private static final SerializedString K_BRAND = new SerializedString("brand");
  private static final SerializedString K_COUNTER_START = new SerializedString("counter_start");
  private static final SerializedString K_CPU_SECONDS = new SerializedString("cpu_seconds");
  private static final SerializedString K_CPU_USAGE = new SerializedString("cpu_usage");
  private static final SerializedString K_DATACENTER_NAME = new SerializedString("datacenter_name");
  private static final SerializedString K_DISK_USAGE = new SerializedString("disk_usage");
  private static final SerializedString K_IMAGE_UUID = new SerializedString("image_uuid");
  private static final SerializedString K_INTERFACE = new SerializedString("interface");
  private static final SerializedString K_MAX_PHYSICAL_MEMORY =
      new SerializedString("max_physical_memory");
  private static final SerializedString K_MEMORY_USAGE = new SerializedString("memory_usage");
  private static final SerializedString K_NETWORK_USAGE = new SerializedString("network_usage");
  private static final SerializedString K_OWNER_UUID = new SerializedString("owner_uuid");
  private static final SerializedString K_PACKAGE_UUID = new SerializedString("package_uuid");
  private static final SerializedString K_QUOTA = new SerializedString("quota");
  private static final SerializedString K_RECEIVED_BYTES = new SerializedString("received_bytes");
  private static final SerializedString K_RECEIVED_PACKETS =
      new SerializedString("received_packets");
  private static final SerializedString K_RSS_BYTES = new SerializedString("rss_bytes");
  private static final SerializedString K_SENT_BYTES = new SerializedString("sent_bytes");
  private static final SerializedString K_SENT_PACKETS = new SerializedString("sent_packets");
  private static final SerializedString K_SERVER_UUID = new SerializedString("server_uuid");
  private static final SerializedString K_SIZE_BYTES = new SerializedString("size_bytes");
  private static final SerializedString K_STATUS = new SerializedString("status");
  private static final SerializedString K_TIMESTAMP = new SerializedString("timestamp");
  private static final SerializedString K_TYPE = new SerializedString("type");
  private static final SerializedString K_USED_BYTES = new SerializedString("used_bytes");
  private static final SerializedString K_UUID = new SerializedString("uuid");
  private static final SerializedString K_V = new SerializedString("v");
  // Added after v1's first keys, each after the keys of its object (readers that ignore unknown
  // keys see no change): NIC errors and drops, the balloon, and the disk I/O object.
  private static final SerializedString K_RECEIVED_ERRORS = new SerializedString("received_errors");
  private static final SerializedString K_SENT_ERRORS = new SerializedString("sent_errors");
  private static final SerializedString K_RECEIVED_DROPS = new SerializedString("received_drops");
  private static final SerializedString K_SENT_DROPS = new SerializedString("sent_drops");
  private static final SerializedString K_BALLOON_BYTES = new SerializedString("balloon_bytes");
  private static final SerializedString K_DISK_IO = new SerializedString("disk_io");
  private static final SerializedString K_READ_BYTES = new SerializedString("read_bytes");
  private static final SerializedString K_WRITE_BYTES = new SerializedString("write_bytes");
  private static final SerializedString K_BLOCK_IO = new SerializedString("block_io");
  private static final SerializedString K_PATH = new SerializedString("path");
  private static final SerializedString K_READ_REQUESTS = new SerializedString("read_requests");
  private static final SerializedString K_WRITE_REQUESTS = new SerializedString("write_requests");
  private static final SerializedString K_VCPUS = new SerializedString("vcpus");
  private static final SerializedString USAGE = new SerializedString("usage");

  private RecordCodec() {}

  /** One usage record as compact JSON, no newline. */
  public static byte[] usageLine(UsageRecord r) {
    ByteArrayBuilder out = new ByteArrayBuilder(1024);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writeUsage(g, r, IsoMillis.format(r.timestamp()));
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
    String ts = IsoMillis.format(timestamp);
    ByteArrayBuilder out = new ByteArrayBuilder(Math.max(1024, records.size() * 640));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      for (UsageRecord r : records) {
        if (!r.timestamp().equals(timestamp)
            || !r.serverUuid().equals(serverUuid)
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
    return IsoMillis.tryParse(ts);
  }

  private static void writeUsage(JsonGenerator g, UsageRecord r, String ts) throws IOException {
    g.writeStartObject();
    g.writeFieldName(K_V);
    g.writeNumber(1);
    g.writeFieldName(K_TYPE);
    g.writeString(USAGE);
    g.writeFieldName(K_TIMESTAMP);
    g.writeString(ts);
    g.writeFieldName(K_SERVER_UUID);
    g.writeString(r.serverUuid());
    text(g, K_DATACENTER_NAME, r.datacenterName());
    g.writeFieldName(K_UUID);
    g.writeString(r.uuid());
    text(g, K_ALIAS, r.alias());
    text(g, K_BRAND, r.brand());
    text(g, K_OWNER_UUID, r.ownerUuid());
    text(g, K_IMAGE_UUID, r.imageUuid());
    text(g, K_PACKAGE_UUID, r.packageUuid());
    text(g, K_STATUS, r.status());
    number(g, K_MAX_PHYSICAL_MEMORY, r.maxPhysicalMemory());
    number(g, K_VCPUS, r.vcpus());
    number(g, K_QUOTA, r.quota());
    VmUsage u = r.usage();
    if (!u.nics().isEmpty()) {
      g.writeFieldName(K_NETWORK_USAGE);
      g.writeStartObject();
      for (Map.Entry<String, VmUsage.NicUsage> e : u.nics().entrySet()) {
        VmUsage.NicUsage n = e.getValue();
        g.writeObjectFieldStart(e.getKey());
        if (!n.interfaceName().isEmpty()) {
          g.writeFieldName(K_INTERFACE);
          g.writeString(n.interfaceName());
        }
        number(g, K_RECEIVED_BYTES, n.receivedBytes());
        number(g, K_SENT_BYTES, n.sentBytes());
        number(g, K_RECEIVED_PACKETS, n.receivedPackets());
        number(g, K_SENT_PACKETS, n.sentPackets());
        g.writeFieldName(K_COUNTER_START);
        g.writeString(IsoMillis.format(n.counterStart()));
        number(g, K_RECEIVED_ERRORS, n.receivedErrors());
        number(g, K_SENT_ERRORS, n.sentErrors());
        number(g, K_RECEIVED_DROPS, n.receivedDrops());
        number(g, K_SENT_DROPS, n.sentDrops());
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    if (u.cpu().isPresent()) {
      VmUsage.CpuUsage cpu = u.cpu().get();
      g.writeFieldName(K_CPU_USAGE);
      g.writeStartObject();
      g.writeFieldName(K_CPU_SECONDS);
      g.writeNumber(seconds(cpu.cpuSeconds()));
      g.writeFieldName(K_COUNTER_START);
      g.writeString(IsoMillis.format(cpu.counterStart()));
      g.writeEndObject();
    }
    if (u.memory().isPresent()) {
      g.writeFieldName(K_MEMORY_USAGE);
      g.writeStartObject();
      g.writeFieldName(K_RSS_BYTES);
      g.writeNumber(u.memory().get().rssBytes());
      number(g, K_BALLOON_BYTES, u.memory().get().balloonBytes());
      g.writeEndObject();
    }
    if (!u.disks().isEmpty()) {
      g.writeFieldName(K_DISK_USAGE);
      g.writeStartObject();
      for (Map.Entry<String, VmUsage.DiskUsage> e : u.disks().entrySet()) {
        g.writeObjectFieldStart(e.getKey());
        number(g, K_USED_BYTES, e.getValue().usedBytes());
        number(g, K_SIZE_BYTES, e.getValue().sizeBytes());
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    if (u.diskIo().isPresent()) {
      VmUsage.DiskIo io = u.diskIo().get();
      g.writeFieldName(K_DISK_IO);
      g.writeStartObject();
      g.writeFieldName(K_READ_BYTES);
      g.writeNumber(io.readBytes());
      g.writeFieldName(K_WRITE_BYTES);
      g.writeNumber(io.writeBytes());
      g.writeFieldName(K_COUNTER_START);
      g.writeString(IsoMillis.format(io.counterStart()));
      g.writeEndObject();
    }
    if (!u.blockIo().isEmpty()) {
      g.writeFieldName(K_BLOCK_IO);
      g.writeStartObject();
      for (Map.Entry<String, VmUsage.BlockIo> e : u.blockIo().entrySet()) {
        VmUsage.BlockIo b = e.getValue();
        g.writeObjectFieldStart(e.getKey());
        text(g, K_PATH, b.path());
        g.writeFieldName(K_READ_REQUESTS);
        g.writeNumber(b.readRequests());
        g.writeFieldName(K_READ_BYTES);
        g.writeNumber(b.readBytes());
        g.writeFieldName(K_WRITE_REQUESTS);
        g.writeNumber(b.writeRequests());
        g.writeFieldName(K_WRITE_BYTES);
        g.writeNumber(b.writeBytes());
        g.writeFieldName(K_COUNTER_START);
        g.writeString(IsoMillis.format(b.counterStart()));
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * CPU seconds with at most microsecond digits, plain notation ({@code 12.5}, never {@code
   * 1.25E1}).
   */
  static String seconds(double s) {
    if (s < 9.0e12) {
      // Fast path (any real CPU time): whole microseconds in a long.
      long micros = Math.round(s * 1_000_000);
      long whole = micros / 1_000_000;
      int frac = (int) (micros % 1_000_000);
      if (frac == 0) {
        return Long.toString(whole);
      }
      int width = 6;
      while (frac % 10 == 0) {
        frac /= 10;
        width--;
      }
      String f = Integer.toString(frac);
      return whole + "." + "000000".substring(0, width - f.length()) + f;
    }
    return BigDecimal.valueOf(s)
        .setScale(6, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  private static void text(JsonGenerator g, SerializedString key, Optional<String> value)
      throws IOException {
    if (value.isPresent()) {
      g.writeFieldName(key);
      g.writeString(value.get());
    }
  }

  private static void number(JsonGenerator g, SerializedString key, OptionalLong value)
      throws IOException {
    if (value.isPresent()) {
      g.writeFieldName(key);
      g.writeNumber(value.getAsLong());
    }
  }
}
