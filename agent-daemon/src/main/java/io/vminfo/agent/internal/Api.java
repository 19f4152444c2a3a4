package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vminfo.core.ServiceStatus;
import io.vminfo.core.SubscribeRequest;
import io.vminfo.core.SubscriberInfo;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEventType;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmStore;
import io.vminfo.core.internal.Json;
import io.vminfo.core.text.IsoMillis;
import io.vminfo.core.text.Uuids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The non-streaming routes of DESIGN section 5, and the parsing of {@code /events} requests. */
public final class Api {
  static final Set<String> VMS_PARAMS = Set.of("state", "brand", "owner_uuid", "fields");
  static final Set<String> VM_PARAMS = Set.of("fields");
  static final Set<String> EVENTS_PARAMS =
      Set.of("since", "epoch", "uuid", "type", "ignore", "heartbeat");
  static final Set<String> STATUS_PARAMS = Set.of("full");
  private static final Pattern TOP_LEVEL_KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_FIELDS = 100;
  private static final int MAX_UUID_FILTERS = 1000;
  private static final byte[] PONG = "{\"ping\":\"pong\"}".getBytes(StandardCharsets.UTF_8);

  private final VmInfoService service;
  private final VmStore store;
  private final FeedRegistry feeds;
  private final AgentMetrics metrics;
  private final UsageRecorderPort usage;
  private final Clock clock;
  private final String serverUuid;
  private final Optional<String> datacenterName;
  private final Instant startedAt;
  private final Supplier<String> state;
  private final ReadyLines readyLines = new ReadyLines();

  public Api(
      VmInfoService service,
      FeedRegistry feeds,
      AgentMetrics metrics,
      UsageRecorderPort usage,
      Clock clock,
      String serverUuid,
      Optional<String> datacenterName,
      Instant startedAt,
      Supplier<String> state) {
    this.service = service;
    this.store = service.store();
    this.feeds = feeds;
    this.metrics = metrics;
    this.usage = usage;
    this.clock = clock;
    this.serverUuid = serverUuid;
    this.datacenterName = datacenterName;
    this.startedAt = startedAt;
    this.state = state;
    store.addListener(readyLines::onEvent);
  }

  private volatile Supplier<com.fasterxml.jackson.databind.JsonNode> fleetStatus;

  /** Adds a {@code fleet} object (the Kafka publisher's state) to {@code /status}. */
  private volatile AlarmsApi alarms;

  /** Turns on the read-only /alarms routes and the alarms part of /status. */
  public void alarms(AlarmsApi a) {
    this.alarms = a;
  }

  public java.util.Optional<AlarmsApi> alarms() {
    return java.util.Optional.ofNullable(alarms);
  }

  public void fleetStatus(Supplier<com.fasterxml.jackson.databind.JsonNode> status) {
    this.fleetStatus = status;
  }

  public VmStore store() {
    return store;
  }

  /** The shared, pre-escaped pieces of ready lines. */
  public ReadyLines readyLines() {
    return readyLines;
  }

  public FullHttpResponse ping(RequestTarget t) throws ApiError {
    t.allowOnly(Set.of());
    return Responses.json(HttpResponseStatus.OK, Unpooled.wrappedBuffer(PONG));
  }

  public FullHttpResponse metrics(RequestTarget t) throws ApiError {
    t.allowOnly(Set.of());
    return Responses.of(
        HttpResponseStatus.OK,
        Responses.PROMETHEUS,
        Unpooled.wrappedBuffer(metrics.scrape().getBytes(StandardCharsets.UTF_8)));
  }

  public FullHttpResponse usage(RequestTarget t) throws ApiError {
    t.allowOnly(Set.of());
    return Responses.json(HttpResponseStatus.OK, Unpooled.wrappedBuffer(usage.latestSamplesJson()));
  }

  /** {@code GET /vms}: every VM (sorted by uuid), filtered and projected. */
  public FullHttpResponse vms(RequestTarget t, ByteBufAllocator alloc) throws ApiError {
    t.allowOnly(VMS_PARAMS);
    Set<String> states = new LinkedHashSet<>(t.list("state"));
    Set<String> brands = new LinkedHashSet<>(t.list("brand"));
    Set<String> owners = new LinkedHashSet<>(t.list("owner_uuid"));
    List<String> fields = fields(t);
    List<Vm> selected = new ArrayList<>();
    for (Vm vm : store.list()) {
      if (matches(vm.state(), states)
          && matches(vm.brand(), brands)
          && matches(vm.ownerUuid(), owners)) {
        selected.add(vm);
      }
    }
    if (!fields.isEmpty()) {
      ArrayNode out = Json.NODES.arrayNode(selected.size());
      for (Vm vm : selected) {
        out.add(project(vm, fields));
      }
      return Responses.json(HttpResponseStatus.OK, Unpooled.wrappedBuffer(Json.bytes(out)));
    }
    int size = 2;
    for (Vm vm : selected) {
      size += vm.serializedSize() + 1;
    }
    ByteBuf body = alloc.buffer(size);
    body.writeByte('[');
    for (int i = 0; i < selected.size(); i++) {
      if (i > 0) {
        body.writeByte(',');
      }
      body.writeBytes(selected.get(i).bytesBuffer());
    }
    body.writeByte(']');
    return Responses.json(HttpResponseStatus.OK, body);
  }

  /** {@code GET /vms/{uuid|zonename}}. */
  public FullHttpResponse vm(RequestTarget t, String id) throws ApiError {
    t.allowOnly(VM_PARAMS);
    List<String> fields = fields(t);
    Vm vm = VmLookup.resolve(store, id);
    if (!fields.isEmpty()) {
      return Responses.json(HttpResponseStatus.OK, project(vm, fields));
    }
    return Responses.json(HttpResponseStatus.OK, Unpooled.wrappedBuffer(vm.bytesBuffer()));
  }

  /** Parses {@code /events} parameters into a subscription request. */
  public SubscribeRequest subscribeRequest(RequestTarget t, String description) throws ApiError {
    t.allowOnly(EVENTS_PARAMS);
    Set<String> uuids = new LinkedHashSet<>();
    for (String u : t.list("uuid")) {
      if (!Uuids.isUuid(u)) {
        throw ApiError.badRequest("uuid filter \"" + RequestTarget.shorten(u) + "\" is not a UUID");
      }
      uuids.add(u.toLowerCase(Locale.ROOT));
    }
    if (uuids.size() > MAX_UUID_FILTERS) {
      throw ApiError.badRequest("at most " + MAX_UUID_FILTERS + " uuid filters");
    }
    Set<VmEventType> types = EnumSet.noneOf(VmEventType.class);
    for (String ty : t.list("type")) {
      try {
        types.add(VmEventType.fromWireName(ty));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(
            "type filter \"" + RequestTarget.shorten(ty) + "\" is not create, modify or delete");
      }
    }
    Set<String> ignored = new LinkedHashSet<>();
    for (String key : t.list("ignore")) {
      if (!TOP_LEVEL_KEY.matcher(key).matches()) {
        throw ApiError.badRequest(
            "ignore \""
                + RequestTarget.shorten(key)
                + "\" is not a top-level VM key (letters, digits, _ and -)");
      }
      ignored.add(key);
    }
    if (ignored.size() > SubscribeRequest.MAX_IGNORED_KEYS) {
      throw ApiError.badRequest("at most " + SubscribeRequest.MAX_IGNORED_KEYS + " ignore keys");
    }
    OptionalLong since = t.number("since", Long.MAX_VALUE);
    Optional<String> epoch = t.single("epoch");
    if (epoch.isPresent() && since.isEmpty()) {
      throw ApiError.badRequest("epoch is only meaningful with since");
    }
    if (epoch.isPresent() && epoch.get().length() > 128) {
      throw ApiError.badRequest("epoch longer than 128 characters");
    }
    return new SubscribeRequest(uuids, types, ignored, since, epoch, description);
  }

  /** {@code ?heartbeat=S}: 0 turns the default off. */
  public Optional<Duration> heartbeat(RequestTarget t, Optional<Duration> dflt) throws ApiError {
    OptionalLong s = t.number("heartbeat", 3600);
    if (s.isEmpty()) {
      return dflt;
    }
    return s.getAsLong() == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(s.getAsLong()));
  }

  /** {@code GET /status}: vminfod's fields plus vminfo's (DESIGN section 5). */
  public FullHttpResponse status(RequestTarget t) throws ApiError {
    t.allowOnly(STATUS_PARAMS);
    Instant now = clock.instant();
    ServiceStatus st = service.status();
    ObjectNode o = Json.NODES.objectNode();
    o.put("pid", ProcessHandle.current().pid());
    o.put("uptime", pretty(Duration.between(startedAt, now)));
    ObjectNode mem = o.putObject("memory");
    rssBytes().ifPresent(r -> mem.put("rss", r));
    Runtime rt = Runtime.getRuntime();
    mem.put("heapTotal", rt.totalMemory());
    mem.put("heapUsed", rt.totalMemory() - rt.freeMemory());
    mem.put("heapMax", rt.maxMemory());
    o.put("state", state.get());
    o.put("status", st.running().map(r -> "working: " + r.key()).orElse("working"));
    o.put("numVms", st.store().vms());
    o.put("curDate", IsoMillis.format(now));
    ObjectNode queue = o.putObject("queue");
    queue.put("paused", !st.ready());
    queue.put("idle", st.running().isEmpty() && st.queueDepth() == 0);
    queue.put("depth", st.queueDepth());
    ArrayNode pending = queue.putArray("pending");
    st.pending().stream().limit(100).forEach(pending::add);
    st.running()
        .ifPresent(
            r -> {
              ObjectNode run = queue.putObject("running");
              run.put("key", r.key());
              run.put("since", IsoMillis.format(r.since()));
              run.put("for", pretty(Duration.between(r.since(), now)));
            });
    queue.put("completed", st.tasksCompleted());
    queue.put("failed", st.tasksFailed());
    queue.put("abandoned", st.tasksAbandoned());
    queue.put("coalesced", st.tasksCoalesced());
    ServiceStatus.InitialLoad load = st.initialLoad();
    ObjectNode initial = o.putObject("initialLoad");
    initial.put("state", load.state().wireName());
    initial.put("since", IsoMillis.format(load.since()));
    initial.put("attempts", load.attempts());
    load.completedAt()
        .ifPresent(
            at -> {
              initial.put("completedAt", IsoMillis.format(at));
              initial.put("tookMs", Duration.between(load.since(), at).toMillis());
            });
    load.lastError().ifPresent(e -> initial.put("lastError", e));
    load.nextAttempt().ifPresent(at -> initial.put("nextAttempt", IsoMillis.format(at)));
    st.lastRefresh()
        .ifPresent(
            lr -> {
              o.put("lastRefresh", pretty(Duration.between(lr, now)));
              o.put("lastRefreshDate", IsoMillis.format(lr));
            });
    st.lastRefreshDuration().ifPresent(d -> o.put("lastRefreshTookMs", d.toMillis()));
    ArrayNode errors = o.putArray("refreshErrors");
    for (ServiceStatus.TaskFailure f : st.recentFailures()) {
      ObjectNode e = errors.addObject();
      e.put("err", f.message());
      e.put("key", f.key());
      e.put("time", IsoMillis.format(f.at()));
      e.put("ago", pretty(Duration.between(f.at(), now)));
      e.put("abandoned", f.abandoned());
    }
    ObjectNode listeners = o.putObject("eventsListeners");
    for (SubscriberInfo si : st.subscribers()) {
      ObjectNode l = listeners.putObject(si.id());
      l.put("userAgent", si.description());
      feeds.get(si.id()).ifPresent(e -> l.put("remote", e.remote()));
      l.put("createdDate", IsoMillis.format(si.createdAt()));
      l.put("createdAgo", pretty(Duration.between(si.createdAt(), now)));
      l.put("queuedEvents", si.queuedEvents());
      l.put("queuedBytes", si.queuedBytes());
      l.put("deliveredEvents", si.deliveredEvents());
      if (!si.request().uuids().isEmpty()) {
        ArrayNode u = l.putArray("uuids");
        si.request().uuids().stream().sorted().forEach(u::add);
      }
      if (!si.request().types().isEmpty()) {
        ArrayNode ty = l.putArray("types");
        si.request().types().forEach(x -> ty.add(x.wireName()));
      }
    }
    o.put("rev", st.store().revision());
    o.put("epoch", store.epoch());
    o.put("backend", st.backend());
    o.put("serverUuid", serverUuid);
    datacenterName.ifPresent(d -> o.put("datacenterName", d));
    ArrayNode vmErrors = o.putArray("vmErrors");
    for (VmLoadError e : st.vmErrors()) {
      ObjectNode v = vmErrors.addObject();
      v.put("key", e.key());
      e.uuid().ifPresent(u -> v.put("uuid", u));
      e.zonename().ifPresent(z -> v.put("zonename", z));
      v.put("message", e.message());
      v.put("time", IsoMillis.format(e.at()));
    }
    ObjectNode feed = o.putObject("feed");
    feed.put("subscribers", feeds.size());
    feed.put("historyEvents", st.store().historyEvents());
    feed.put("historyBytes", st.store().historyBytes());
    feed.put("oldestRev", st.store().oldestHistoryRev());
    feed.put("subscribersCutOff", st.store().subscribersCutOff());
    o.set("usage", usage.status());
    AlarmsApi al = alarms;
    if (al != null) {
      o.set("alarms", al.status());
    }
    Supplier<com.fasterxml.jackson.databind.JsonNode> fleet = fleetStatus;
    if (fleet != null) {
      o.set("fleet", fleet.get());
    }
    return Responses.json(HttpResponseStatus.OK, o);
  }

  /** vminfod's duration format: {@code "452161.336s (5.23d)"}. */
  static String pretty(Duration d) {
    double s = Math.max(0, d.toNanos()) / 1e9;
    String unit;
    if (s < 60) {
      unit = String.format(Locale.ROOT, "%.2fs", s);
    } else if (s < 3600) {
      unit = String.format(Locale.ROOT, "%.2fm", s / 60);
    } else if (s < 86400) {
      unit = String.format(Locale.ROOT, "%.2fh", s / 3600);
    } else {
      unit = String.format(Locale.ROOT, "%.2fd", s / 86400);
    }
    return String.format(Locale.ROOT, "%.3fs (%s)", s, unit);
  }

  private static OptionalLong rssBytes() {
    Path status = Path.of("/proc/self/status");
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc not mounted: leave rss out rather than guess
    }
    return OptionalLong.empty();
  }

  private static List<String> fields(RequestTarget t) throws ApiError {
    List<String> fields = new ArrayList<>(new LinkedHashSet<>(t.list("fields")));
    if (fields.size() > MAX_FIELDS) {
      throw ApiError.badRequest("at most " + MAX_FIELDS + " fields");
    }
    return fields;
  }

  private static ObjectNode project(Vm vm, List<String> fields) {
    ObjectNode o = Json.NODES.objectNode();
    for (String f : fields) {
      Optional<JsonNode> v = vm.get(f);
      v.ifPresent(x -> o.set(f, x));
    }
    return o;
  }

  private static boolean matches(Optional<String> value, Set<String> wanted) {
    return wanted.isEmpty() || (value.isPresent() && wanted.contains(value.get()));
  }
}
