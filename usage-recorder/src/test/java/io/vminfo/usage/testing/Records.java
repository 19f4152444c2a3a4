package io.vminfo.usage.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vminfo.usage.UsageSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads usage files (.log and .log.gz) and checks every record: valid JSON, valid against
 * docs/usage-schema.json (loaded from the classpath, as consumers would), keys in contract order.
 */
public final class Records {
  public static final ObjectMapper JSON = new ObjectMapper();

  private static final List<String> USAGE_ORDER =
      List.of(
          "v",
          "type",
          "timestamp",
          "server_uuid",
          "datacenter_name",
          "uuid",
          "alias",
          "brand",
          "owner_uuid",
          "image_uuid",
          "package_uuid",
          "status",
          "max_physical_memory",
          "vcpus",
          "quota",
          "network_usage",
          "cpu_usage",
          "memory_usage",
          "disk_usage",
          "disk_io",
          "block_io");
  private static final List<String> SUMMARY_ORDER =
      List.of("v", "type", "timestamp", "server_uuid", "datacenter_name", "vm_count", "runtime_ms");
  private static final List<String> NIC_ORDER =
      List.of(
          "interface",
          "received_bytes",
          "sent_bytes",
          "received_packets",
          "sent_packets",
          "counter_start",
          "received_errors",
          "sent_errors",
          "received_drops",
          "sent_drops");
  private static final List<String> BLOCK_ORDER =
      List.of(
          "path", "read_requests", "read_bytes", "write_requests", "write_bytes", "counter_start");

  private static final JsonSchema SCHEMA = load();

  private Records() {}

  private static JsonSchema load() {
    try (InputStream in = UsageSchema.open()) {
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses one line and asserts it is a valid v1 record with keys in contract order. */
  public static JsonNode check(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
    Set<ValidationMessage> errors = SCHEMA.validate(n);
    assertThat(errors).as("schema errors of %s", line).isEmpty();
    List<String> order = "usage".equals(n.path("type").asText()) ? USAGE_ORDER : SUMMARY_ORDER;
    assertOrder(n, order, line);
    n.path("network_usage").forEach(nic -> assertOrder(nic, NIC_ORDER, line));
    n.path("block_io").forEach(disk -> assertOrder(disk, BLOCK_ORDER, line));
    return n;
  }

  private static void assertOrder(JsonNode n, List<String> order, String line) {
    List<String> keys = new ArrayList<>();
    n.fieldNames().forEachRemaining(keys::add);
    List<String> expected = order.stream().filter(keys::contains).toList();
    assertThat(keys).as("key order of %s", line).isEqualTo(expected);
  }

  /** Every line of a .log or .log.gz file; asserts the file is whole lines. */
  public static List<String> lines(Path file) {
    byte[] bytes;
    try {
      if (file.getFileName().toString().endsWith(".gz")) {
        try (InputStream in = GzipCompressorInputStream.builder().setPath(file).get()) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          in.transferTo(out);
          bytes = out.toByteArray();
        }
      } else {
        bytes = Files.readAllBytes(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertThat(text).as("%s ends with a whole line", file).matches("(?s)(|.*\\n)");
    if (text.isEmpty()) {
      return List.of();
    }
    return List.of(text.substring(0, text.length() - 1).split("\n", -1));
  }

  /** All records of every usage file under {@code dir} (.log, .log.gz), each checked. */
  public static List<JsonNode> readAll(Path dir) {
    List<JsonNode> out = new ArrayList<>();
    for (Path f : usageFiles(dir)) {
      for (String line : lines(f)) {
        out.add(check(line));
      }
    }
    return out;
  }

  /** Usage files under {@code dir}, sorted; temp files and everything else ignored. */
  public static List<Path> usageFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return !n.startsWith(".") && (n.endsWith(".log") || n.endsWith(".log.gz"));
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The usage records only. */
  public static List<JsonNode> usage(List<JsonNode> records) {
    return records.stream().filter(n -> "usage".equals(n.path("type").asText())).toList();
  }

  /** The summary records only. */
  public static List<JsonNode> summaries(List<JsonNode> records) {
    return records.stream().filter(n -> "summary".equals(n.path("type").asText())).toList();
  }

  /** {@code uuid@timestamp} of each usage record. */
  public static List<String> keys(List<JsonNode> records) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : usage(records)) {
      out.add(n.path("uuid").asText() + "@" + n.path("timestamp").asText());
    }
    return out;
  }

  public static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    Iterator<String> it = n.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }
}
