package io.vminfo.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A guest action job as the agent reports it ({@code /jobs}): {@code status} is {@code Queued},
 * {@code Running}, {@code Complete} or {@code Error}; {@code vmState} is the VM's state seen when
 * it ended, {@code message} why it failed.
 */
public record JobInfo(
    String id,
    String vmUuid,
    String action,
    String requester,
    String status,
    String createdAt,
    Optional<String> finishedAt,
    Optional<String> message,
    Optional<String> vmState) {

  public JobInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vmUuid, "vmUuid");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(vmState, "vmState");
  }

  public boolean finished() {
    return status.equals("Complete") || status.equals("Error");
  }

  public boolean complete() {
    return status.equals("Complete");
  }

  static JobInfo of(JsonNode n) throws VminfoClientException {
    if (!n.isObject() || !n.path("id").isTextual() || !n.path("status").isTextual()) {
      throw new VminfoClientException("not a job: " + abbreviate(n.toString()));
    }
    return new JobInfo(
        n.path("id").asText(),
        n.path("vm_uuid").asText(""),
        n.path("action").asText(""),
        n.path("requester").asText(""),
        n.path("status").asText(),
        n.path("created_at").asText(""),
        opt(n, "finished_at"),
        opt(n, "message"),
        opt(n, "vm_state"));
  }

  private static Optional<String> opt(JsonNode n, String key) {
    return n.path(key).isTextual() ? Optional.of(n.path(key).asText()) : Optional.empty();
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
