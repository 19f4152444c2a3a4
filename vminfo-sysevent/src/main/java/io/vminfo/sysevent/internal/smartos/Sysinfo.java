package io.vminfo.sysevent.internal.smartos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.text.Uuids;
import java.util.Optional;

/**
 * What vmload takes from {@code /tmp/.sysinfo.json}: the server {@code UUID} and {@code Datacenter
 * Name}.
 */
public record Sysinfo(Optional<String> serverUuid, Optional<String> datacenterName) {
  public static final Sysinfo NONE = new Sysinfo(Optional.empty(), Optional.empty());

  public static Sysinfo of(ObjectNode json) {
    JsonNode uuid = json.get("UUID");
    JsonNode dc = json.get("Datacenter Name");
    return new Sysinfo(
        uuid != null && uuid.isTextual() && Uuids.isUuid(uuid.textValue())
            ? Optional.of(uuid.textValue().toLowerCase(java.util.Locale.ROOT))
            : Optional.empty(),
        dc != null && dc.isTextual() && !dc.textValue().isEmpty()
            ? Optional.of(dc.textValue())
            : Optional.empty());
  }
}
