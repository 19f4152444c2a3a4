package io.vminfo.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One line of the fleet feed topic: a host's feed event (create, modify, delete) or a {@code
 * resync} marker, with the host's {@code server_uuid}. {@code (serverUuid, epoch, rev)} identifies
 * an event, so a consumer drops the copies at-least-once delivery may bring.
 */
public record FleetEvent(
    String type, String serverUuid, String uuid, String epoch, long rev, JsonNode line) {
  public FleetEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(serverUuid, "serverUuid");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(line, "line");
    line = line.deepCopy();
  }

  @Override
  public JsonNode line() {
    return line.deepCopy();
  }
}
