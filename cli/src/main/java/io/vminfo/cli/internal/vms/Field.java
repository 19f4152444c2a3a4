package io.vminfo.cli.internal.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.vminfo.cli.internal.output.CliJson;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A VM field as vmadm names it on the command line: a top-level key ({@code alias}), a nested one
 * ({@code tags.role}, {@code nics.0.ip}: numbers index arrays), or one of vmadm's computed columns
 * {@code type} (OS, LX, KVM, BHYV) and {@code ram} (the VM's {@code ram}, else {@code
 * max_physical_memory}). A key the VM has itself always wins.
 */
public final class Field {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

  private final String name;
  private final List<String> path;

  private Field(String name) {
    this.name = name;
    this.path = List.of(name.split("\\.", -1));
  }

  /** Parses a field name; {@link IllegalArgumentException} with the reason if it is not one. */
  public static Field of(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches() || name.endsWith(".") || name.contains("..")) {
      throw new IllegalArgumentException(
          "bad field name \"" + name + "\" (letters, digits, _ and -, nested keys joined by '.')");
    }
    return new Field(name);
  }

  /** Comma-separated field names, e.g. {@code uuid,alias,state}. */
  public static List<Field> list(String names) {
    if (names.isBlank()) {
      throw new IllegalArgumentException("name at least one field");
    }
    return java.util.Arrays.stream(names.split(",", -1)).map(String::trim).map(Field::of).toList();
  }

  public String name() {
    return name;
  }

  /** The column header: the name in upper case, as vmadm. */
  public String header() {
    return name.toUpperCase(Locale.ROOT);
  }

  /** The field's value in {@code vm}, or a missing node. */
  public JsonNode get(JsonNode vm) {
    JsonNode v = vm;
    for (String seg : path) {
      if (v.isObject()) {
        v = v.path(seg);
      } else if (v.isArray() && isIndex(seg)) {
        v = v.path(Integer.parseInt(seg));
      } else {
        v = MissingNode.getInstance();
      }
      if (v.isMissingNode()) {
        break;
      }
    }
    if (v.isMissingNode() && path.size() == 1) {
      return computed(vm);
    }
    return v;
  }

  private JsonNode computed(JsonNode vm) {
    switch (name) {
      case "type" -> {
        String brand = vm.path("brand").asText("");
        String type =
            switch (brand) {
              case "kvm", "qemu" -> "KVM";
              case "bhyve" -> "BHYV";
              case "lx" -> "LX";
              case "" -> null;
              default -> "OS";
            };
        return type == null ? MissingNode.getInstance() : CliJson.NODES.textNode(type);
      }
      case "ram" -> {
        return vm.path("max_physical_memory");
      }
      default -> {
        return MissingNode.getInstance();
      }
    }
  }

  private static boolean isIndex(String seg) {
    return !seg.isEmpty() && seg.length() < 10 && seg.chars().allMatch(Character::isDigit);
  }

  @Override
  public String toString() {
    return name;
  }
}
