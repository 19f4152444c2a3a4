package io.vminfo.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.FrozenTree;
import io.vminfo.core.internal.Json;
import io.vminfo.core.text.Uuids;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One VM as a vmadm-style JSON object (DESIGN section 2): snake_case keys, vmadm units.
 *
 * <p>Immutable: the tree is copied on the way in and never handed out; every accessor returns a
 * value or a fresh copy. The compact serialization is computed once, so the change feed can send
 * the same bytes to every subscriber.
 */
public final class Vm {
  /** Keys every VM object carries (DESIGN section 2). */
  public static final List<String> REQUIRED_KEYS =
      List.of("uuid", "brand", "state", "zone_state", "server_uuid", "nics", "last_modified");

  private final ObjectNode json;
  private final byte[] bytes;
  private final String uuid;

  private Vm(ObjectNode source) {
    JsonNode id = source.get("uuid");
    if (id == null || !id.isTextual()) {
      throw new IllegalArgumentException("VM object needs a string \"uuid\", got: " + describe(id));
    }
    if (!Uuids.isUuid(id.textValue())) {
      throw new IllegalArgumentException("VM uuid is not a UUID: \"" + id.textValue() + "\"");
    }
    requireTypeIfPresent(source, "zonename", JsonNode::isTextual, "a string");
    requireTypeIfPresent(source, "alias", JsonNode::isTextual, "a string");
    requireTypeIfPresent(source, "nics", JsonNode::isArray, "an array");
    requireTypeIfPresent(source, "disks", JsonNode::isArray, "an array");
    this.uuid = id.textValue().toLowerCase(java.util.Locale.ROOT);
    ObjectNode normalized = source;
    if (!uuid.equals(id.textValue())) {
      normalized = source.deepCopy();
      normalized.put("uuid", uuid);
    }
    // A frozen deep copy: compact, shared strings, and writes throw.
    this.json = (ObjectNode) FrozenTree.freeze(normalized);
    this.bytes = Json.bytes(json);
  }

  /** A VM from a JSON object; the object is deep-copied, so later changes to it do not leak in. */
  public static Vm of(JsonNode object) {
    Objects.requireNonNull(object, "object");
    if (!object.isObject()) {
      throw new IllegalArgumentException("VM must be a JSON object, got " + object.getNodeType());
    }
    return new Vm((ObjectNode) object);
  }

  /** Parses one VM object from JSON text. */
  public static Vm parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses one VM object from UTF-8 JSON bytes. */
  public static Vm parse(byte[] utf8) {
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(utf8);
    } catch (IOException e) {
      throw new IllegalArgumentException("VM is not valid JSON: " + Json.describe(e), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException("VM must be a JSON object");
    }
    return new Vm((ObjectNode) tree);
  }

  /** Starts a modified copy of this VM. */
  public Builder toBuilder() {
    return new Builder(json.deepCopy());
  }

  /** A new VM with fields set or removed by {@code edit}; this one is unchanged. */
  public Vm with(Consumer<ObjectNode> edit) {
    ObjectNode copy = json.deepCopy();
    edit.accept(copy);
    return new Vm(copy);
  }

  public String uuid() {
    return uuid;
  }

  public Optional<String> zonename() {
    return text("zonename");
  }

  public Optional<String> alias() {
    return text("alias");
  }

  public Optional<String> brand() {
    return text("brand");
  }

  public Optional<String> state() {
    return text("state");
  }

  public Optional<String> zoneState() {
    return text("zone_state");
  }

  public Optional<String> serverUuid() {
    return text("server_uuid");
  }

  public Optional<String> ownerUuid() {
    return text("owner_uuid");
  }

  public Optional<String> imageUuid() {
    return text("image_uuid");
  }

  /** vmadm's {@code billing_id}, which usage records call {@code package_uuid}. */
  public Optional<String> billingId() {
    return text("billing_id");
  }

  public Optional<String> lastModified() {
    return text("last_modified");
  }

  /** MiB. */
  public OptionalLong maxPhysicalMemory() {
    return integer("max_physical_memory");
  }

  public OptionalLong vcpus() {
    return integer("vcpus");
  }

  /** GiB. */
  public OptionalLong quota() {
    return integer("quota");
  }

  /** The zone id or libvirt domain id; empty when not running ({@code null} in JSON). */
  public OptionalLong zoneid() {
    return integer("zoneid");
  }

  /** Process id of the guest (libvirt: the QEMU process); empty when not running. */
  public OptionalLong pid() {
    return integer("pid");
  }

  /** The NICs, in order. */
  public List<Nic> nics() {
    JsonNode nics = json.get("nics");
    if (nics == null) {
      return List.of();
    }
    List<Nic> out = new ArrayList<>(nics.size());
    for (JsonNode nic : nics) {
      if (nic.isObject()) {
        out.add(Nic.from(nic));
      }
    }
    return List.copyOf(out);
  }

  /** The disks, in order. */
  public List<Disk> disks() {
    JsonNode disks = json.get("disks");
    if (disks == null) {
      return List.of();
    }
    List<Disk> out = new ArrayList<>(disks.size());
    for (JsonNode disk : disks) {
      if (disk.isObject()) {
        out.add(Disk.from(disk));
      }
    }
    return List.copyOf(out);
  }

  public boolean has(String key) {
    return json.has(key);
  }

  /** A copy of one top-level value; empty when the key is absent. */
  public Optional<JsonNode> get(String key) {
    JsonNode value = json.get(key);
    return value == null ? Optional.empty() : Optional.of(value.deepCopy());
  }

  /** The string value of a top-level key; empty when absent or not a string. */
  public Optional<String> text(String key) {
    JsonNode value = json.get(key);
    return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
  }

  /** The integral value of a top-level key; empty when absent, null or not an integer. */
  public OptionalLong integer(String key) {
    JsonNode value = json.get(key);
    if (value != null && value.isNumber() && value.canConvertToExactIntegral()) {
      return OptionalLong.of(value.longValue());
    }
    return OptionalLong.empty();
  }

  /** Top-level keys in document order. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>(json.size());
    Iterator<String> names = json.fieldNames();
    names.forEachRemaining(keys::add);
    return List.copyOf(keys);
  }

  /** The keys of {@link #REQUIRED_KEYS} this object lacks (empty for a complete VM). */
  public List<String> missingRequiredKeys() {
    return REQUIRED_KEYS.stream().filter(k -> !json.has(k)).toList();
  }

  /** A mutable deep copy of the whole object. */
  public ObjectNode toJson() {
    return json.deepCopy();
  }

  /** Size of the compact serialization in bytes. */
  public int serializedSize() {
    return bytes.length;
  }

  /** A copy of the compact UTF-8 serialization. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The compact serialization as a read-only buffer over the shared bytes (no copy). */
  public java.nio.ByteBuffer bytesBuffer() {
    return java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** Writes the compact serialization without copying it. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes);
  }

  /** The read-only tree, for this module's diff and codec only (never exposed publicly). */
  ObjectNode tree() {
    return json;
  }

  /** The shared serialization, for this module's codec only (never exposed publicly). */
  byte[] sharedBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vm other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void requireTypeIfPresent(
      ObjectNode node, String key, java.util.function.Predicate<JsonNode> ok, String what) {
    JsonNode value = node.get(key);
    if (value != null && !value.isNull() && !ok.test(value)) {
      throw new IllegalArgumentException(
          "VM key \"" + key + "\" must be " + what + ", got " + value.getNodeType());
    }
  }

  private static String describe(JsonNode node) {
    return node == null ? "nothing" : node.getNodeType().toString();
  }

  /** Builds a VM field by field; {@link #build()} validates. */
  public static final class Builder {
    private final ObjectNode json;

    private Builder(ObjectNode json) {
      this.json = json;
    }

    public static Builder create(String uuid) {
      ObjectNode node = Json.NODES.objectNode();
      node.put("uuid", uuid);
      return new Builder(node);
    }

    public Builder put(String key, String value) {
      json.put(key, value);
      return this;
    }

    public Builder put(String key, long value) {
      json.put(key, value);
      return this;
    }

    public Builder put(String key, boolean value) {
      json.put(key, value);
      return this;
    }

    public Builder put(String key, JsonNode value) {
      json.set(key, value == null ? Json.NODES.nullNode() : value.deepCopy());
      return this;
    }

    public Builder putNull(String key) {
      json.putNull(key);
      return this;
    }

    public Builder remove(String key) {
      json.remove(key);
      return this;
    }

    public Vm build() {
      return new Vm(json);
    }
  }

  /** One NIC of a VM. */
  public record Nic(
      Optional<String> mac,
      Optional<String> interfaceName,
      Optional<String> model,
      Optional<String> bridge,
      boolean primary) {
    public Nic {
      Objects.requireNonNull(mac, "mac");
      Objects.requireNonNull(interfaceName, "interfaceName");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(bridge, "bridge");
    }

    static Nic from(JsonNode nic) {
      return new Nic(
          textOf(nic, "mac"),
          textOf(nic, "interface"),
          textOf(nic, "model"),
          textOf(nic, "bridge"),
          nic.path("primary").asBoolean(false));
    }
  }

  /** One disk of a VM. */
  public record Disk(
      Optional<String> path, OptionalLong sizeMiB, Optional<String> model, boolean boot) {
    public Disk {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sizeMiB, "sizeMiB");
      Objects.requireNonNull(model, "model");
    }

    static Disk from(JsonNode disk) {
      JsonNode size = disk.get("size");
      return new Disk(
          textOf(disk, "path"),
          size != null && size.canConvertToExactIntegral()
              ? OptionalLong.of(size.longValue())
              : OptionalLong.empty(),
          textOf(disk, "model"),
          disk.path("boot").asBoolean(false));
    }
  }

  private static Optional<String> textOf(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
  }
}
