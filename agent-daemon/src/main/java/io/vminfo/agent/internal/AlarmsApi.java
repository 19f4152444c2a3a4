package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.AlarmService;
import io.vminfo.alarms.AlarmStatus;
import io.vminfo.alarms.AlarmsJson;
import io.vminfo.alarms.Rule;
import io.vminfo.alarms.Suppression;
import io.vminfo.alarms.SuppressionRequest;
import io.vminfo.core.internal.Json;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only alarm routes: {@code GET /alarms} (open alarms and active suppressions) and {@code
 * GET /alarms/suppressions}; with {@code alarms.api_writes} also suppress and lift.
 */
public final class AlarmsApi {
  private static final Logger log = LoggerFactory.getLogger(AlarmsApi.class);
  private static final java.util.Set<String> SUPPRESS_PARAMS =
      java.util.Set.of("vm", "rule", "for", "reason");

  private final AlarmService alarms;
  private final Optional<WriteAccess> writes;

  /**
   * @param writes who may suppress and lift; empty when {@code alarms.api_writes} is off
   */
  public AlarmsApi(AlarmService alarms, Optional<WriteAccess> writes) {
    this.alarms = alarms;
    this.writes = writes;
  }

  public boolean writes() {
    return writes.isPresent();
  }

  /**
   * {@code POST /alarms/suppressions?vm=U&vm=..&rule=R&for=2h&reason=..}: no vm means every VM, no
   * rule every rule, no {@code for} until lifted. The request carries no body (the API takes none).
   */
  /** Who asked for a write, or a refusal (see {@link WriteAccess#authorize}). */
  String authorize(io.netty.handler.codec.http.HttpRequest request, java.net.SocketAddress remote)
      throws ApiError {
    return writes.orElseThrow().authorize(request, remote);
  }

  FullHttpResponse suppress(RequestTarget t, String requester) throws ApiError {
    t.allowOnly(SUPPRESS_PARAMS);
    java.util.Set<Rule> rules = java.util.EnumSet.noneOf(Rule.class);
    java.util.Optional<java.time.Duration> duration;
    SuppressionRequest req;
    try {
      for (String r : t.list("rule")) {
        rules.add(Rule.fromId(r));
      }
      duration = t.single("for").map(Units::duration);
      req =
          new SuppressionRequest(
              java.util.Set.copyOf(t.list("vm")),
              rules,
              duration,
              t.single("reason").orElse("") + " (by " + requester + ")");
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    try {
      Suppression s = alarms.suppress(req);
      log.info("suppression {} added by {}", s.id(), requester);
      ObjectNode o = Json.NODES.objectNode();
      o.set("suppression", AlarmsJson.suppression(s));
      return Responses.json(HttpResponseStatus.CREATED, o);
    } catch (java.io.IOException e) {
      throw new ApiError(
          HttpResponseStatus.INTERNAL_SERVER_ERROR,
          "InternalError",
          "could not save the suppression: " + e.getMessage());
    }
  }

  FullHttpResponse lift(String id, String requester) throws ApiError {
    try {
      if (!alarms.lift(id)) {
        throw ApiError.notFound("no suppression " + RequestTarget.shorten(id));
      }
    } catch (java.io.IOException e) {
      throw new ApiError(
          HttpResponseStatus.INTERNAL_SERVER_ERROR,
          "InternalError",
          "could not save the alarm state: " + e.getMessage());
    }
    log.info("suppression {} lifted by {}", id, requester);
    ObjectNode o = Json.NODES.objectNode();
    o.put("lifted", id);
    return Responses.json(HttpResponseStatus.OK, o);
  }

  public FullHttpResponse alarms() {
    ObjectNode o = Json.NODES.objectNode();
    ArrayNode a = o.putArray("alarms");
    for (Alarm al : alarms.openAlarms()) {
      a.add(AlarmsJson.alarm(al));
    }
    o.set("suppressions", suppressionArray());
    return Responses.json(HttpResponseStatus.OK, o);
  }

  public FullHttpResponse suppressions() {
    ObjectNode o = Json.NODES.objectNode();
    o.set("suppressions", suppressionArray());
    return Responses.json(HttpResponseStatus.OK, o);
  }

  JsonNode status() {
    AlarmStatus s = alarms.status();
    ObjectNode o = Json.NODES.objectNode();
    o.put("open", s.openAlarms());
    o.put("suppressions", s.suppressions());
    o.put("pendingNotices", s.pendingNotices());
    o.put("delivered", s.delivered());
    o.put("failedAttempts", s.failedAttempts());
    o.put("suppressedOpens", s.suppressedOpens());
    return o;
  }

  private ArrayNode suppressionArray() {
    ArrayNode a = Json.NODES.arrayNode();
    for (Suppression s : alarms.suppressions()) {
      a.add(AlarmsJson.suppression(s));
    }
    return a;
  }
}
