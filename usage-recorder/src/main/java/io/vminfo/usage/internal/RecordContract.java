package io.vminfo.usage.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vminfo.usage.UsageSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks one usage record against the v1 contract: the JSON Schema shipped with usage-recorder
 * ({@link UsageSchema}) and the key order (DESIGN section 7). The schema's two branches are
 * compiled separately so that a bad record gets the messages of its own type, not a "must match one
 * of" summary.
 */
public final class RecordContract {
  static final List<String> USAGE_ORDER =
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
  static final List<String> SUMMARY_ORDER =
      List.of("v", "type", "timestamp", "server_uuid", "datacenter_name", "vm_count", "runtime_ms");
  static final List<String> NIC_ORDER =
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
  static final List<String> BLOCK_ORDER =
      List.of(
          "path", "read_requests", "read_bytes", "write_requests", "write_bytes", "counter_start");

  private final JsonSchema usage;
  private final JsonSchema summary;

  /** Compiling the schema takes a while; the compiled checker is thread-safe, so it is shared. */
  private static final class Shared {
    static final RecordContract INSTANCE = new RecordContract();
  }

  public static RecordContract shared() {
    return Shared.INSTANCE;
  }

  private RecordContract() {
    JsonNode schema;
    try (InputStream in = UsageSchema.open()) {
      schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the usage schema", e);
    }
    this.usage = branch(schema, "usage");
    this.summary = branch(schema, "summary");
  }

  private static JsonSchema branch(JsonNode schema, String def) {
    ObjectNode copy = schema.deepCopy();
    copy.remove("oneOf");
    copy.remove("$id"); // resolve "#/$defs/..." here, never against a remote address
    copy.put("$ref", "#/$defs/" + def);
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(copy, config);
  }

  /** Why {@code record} is not a valid v1 record, or empty if it is. */
  public Optional<String> check(JsonNode record) {
    if (!record.isObject()) {
      return Optional.of("not a JSON object");
    }
    String type = record.path("type").asText("");
    JsonSchema schema;
    List<String> order;
    if (type.equals("usage")) {
      schema = usage;
      order = USAGE_ORDER;
    } else if (type.equals("summary")) {
      schema = summary;
      order = SUMMARY_ORDER;
    } else {
      return Optional.of(
          "\"type\" is "
              + (record.has("type") ? record.get("type") : "missing")
              + ", expected \"usage\" or \"summary\"");
    }
    Set<ValidationMessage> errors = schema.validate(record);
    if (!errors.isEmpty()) {
      List<String> messages = errors.stream().map(ValidationMessage::getMessage).sorted().toList();
      String shown = String.join("; ", messages.subList(0, Math.min(3, messages.size())));
      return Optional.of(
          "schema: "
              + shown
              + (messages.size() > 3 ? " (and " + (messages.size() - 3) + " more)" : ""));
    }
    Optional<String> o = order(record, order, "");
    if (o.isPresent()) {
      return o;
    }
    for (java.util.Map.Entry<String, JsonNode> nic : record.path("network_usage").properties()) {
      o = order(nic.getValue(), NIC_ORDER, "network_usage." + nic.getKey() + ": ");
      if (o.isPresent()) {
        return o;
      }
    }
    for (java.util.Map.Entry<String, JsonNode> disk : record.path("block_io").properties()) {
      o = order(disk.getValue(), BLOCK_ORDER, "block_io." + disk.getKey() + ": ");
      if (o.isPresent()) {
        return o;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> order(JsonNode n, List<String> order, String where) {
    List<String> keys = new ArrayList<>();
    n.fieldNames().forEachRemaining(keys::add);
    List<String> expected = order.stream().filter(keys::contains).toList();
    if (!keys.equals(expected)) {
      return Optional.of(where + "keys out of contract order: " + keys + ", expected " + expected);
    }
    return Optional.empty();
  }
}
