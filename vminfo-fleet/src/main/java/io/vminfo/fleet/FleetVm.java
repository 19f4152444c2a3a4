package io.vminfo.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * One VM as the fleet view knows it: the host that published it and the VM object (DESIGN section
 * 2) at store revision {@code rev} of that host's agent run {@code epoch}.
 */
public record FleetVm(String serverUuid, String uuid, String epoch, long rev, JsonNode vm) {
  public FleetVm {
    Objects.requireNonNull(serverUuid, "serverUuid");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(vm, "vm");
    vm = vm.deepCopy();
  }

  @Override
  public JsonNode vm() {
    return vm.deepCopy();
  }

  public Optional<String> state() {
    JsonNode s = vm.get("state");
    return s != null && s.isTextual() ? Optional.of(s.asText()) : Optional.empty();
  }

  public Optional<String> alias() {
    JsonNode s = vm.get("alias");
    return s != null && s.isTextual() ? Optional.of(s.asText()) : Optional.empty();
  }
}
