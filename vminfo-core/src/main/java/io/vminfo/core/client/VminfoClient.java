package io.vminfo.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.FeedCodec;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.GuestAction;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.internal.BoundedBody;
import io.vminfo.core.client.internal.ChangeTracker;
import io.vminfo.core.client.internal.ErrorBodies;
import io.vminfo.core.client.internal.FeedConnection;
import io.vminfo.core.client.internal.PercentEncoding;
import io.vminfo.core.client.internal.UnixSocketExchange;
import io.vminfo.core.client.internal.Watch;
import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.core.internal.Json;
import io.vminfo.core.time.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;

/**
 * A client of the vminfo agent's HTTP API (DESIGN section 5), also usable against SmartOS vminfod
 * for what vminfod has. Built on the JDK {@link HttpClient}; thread-safe; close it to stop its
 * threads and every stream it opened.
 *
 * <pre>{@code
 * try (VminfoClient client = VminfoClient.builder(URI.create("http://127.0.0.1:9090")).build()) {
 *   Vm vm = client.vm("my-zone");
 *   try (EventWatch<FeedMessage.Event> running = client.watchForEvent(
 *       EventPattern.any().uuid(vm.uuid()).vm("state", "running"),
 *       WatchOptions.timeout(Duration.ofMinutes(1)))) {
 *     startTheVm(vm);          // the watch is already listening
 *     running.await();         // returns the event, or throws on timeout
 *   }
 * }
 * }</pre>
 */
public final class VminfoClient implements AutoCloseable {
  /** The agent's default address. */
  public static final URI DEFAULT_URI = URI.create("http://127.0.0.1:9090/");

  private final URI base;
  private final Duration requestTimeout;
  private final long maxResponseBytes;
  private final int maxLineBytes;
  private final String userAgent;
  private final Clock clock;
  private final RandomGenerator random;
  private final Optional<RequestSigner> signer;
  private final Optional<java.nio.file.Path> unixSocket;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final HttpClient http;
  private final List<EventStream> streams = new ArrayList<>();
  private boolean closed;

  private VminfoClient(Builder b) {
    String text = b.base.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    this.requestTimeout = b.requestTimeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxLineBytes = b.maxLineBytes;
    this.userAgent = b.userAgent;
    this.clock = b.clock;
    this.random = b.random;
    this.signer = b.signer;
    this.unixSocket = b.unixSocket;
    this.executor = Executors.newCachedThreadPool(NamedThreads.daemon("vminfo-client"));
    this.ownsScheduler = b.scheduler == null;
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : Executors.newSingleThreadScheduledExecutor(
                NamedThreads.daemon("vminfo-client-timer"));
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
  }

  public static Builder builder(URI baseUri) {
    return new Builder(baseUri);
  }

  /** A client of the agent at {@link #DEFAULT_URI} with default settings. */
  public static VminfoClient create() {
    return builder(DEFAULT_URI).build();
  }

  public URI baseUri() {
    return base;
  }

  /** {@code GET /ping}; throws unless the agent answers {@code {"ping":"pong"}}. */
  public void ping() throws IOException, InterruptedException {
    JsonNode pong = getJson("ping");
    if (!"pong".equals(pong.path("ping").asText(null))) {
      throw new VminfoClientException("unexpected /ping answer: " + pong);
    }
  }

  /** {@code GET /status}. */
  public AgentStatus status() throws IOException, InterruptedException {
    JsonNode json = getJson("status");
    if (!json.isObject()) {
      throw new VminfoClientException("/status did not return a JSON object");
    }
    return AgentStatus.of(json);
  }

  /** Every VM. */
  public List<Vm> vms() throws IOException, InterruptedException {
    return vms(VmQuery.all());
  }

  /** {@code GET /vms} with server-side filters. */
  public List<Vm> vms(VmQuery query) throws IOException, InterruptedException {
    JsonNode array = getJson(vmsPath(query, List.of()));
    List<Vm> out = new ArrayList<>(array.size());
    for (JsonNode vm : requireArray(array)) {
      try {
        out.add(Vm.of(vm));
      } catch (IllegalArgumentException e) {
        throw new VminfoClientException("/vms returned a bad VM: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * {@code GET /vms?fields=...}: only the named top-level keys of each VM (a projection need not
   * include {@code uuid}, so the results are plain JSON objects). A VM without a key just lacks it.
   */
  public List<JsonNode> vmFields(VmQuery query, List<String> fields)
      throws IOException, InterruptedException {
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("name at least one field");
    }
    for (String f : fields) {
      if (f.isEmpty() || f.contains(",")) {
        throw new IllegalArgumentException("bad field name: \"" + f + "\"");
      }
    }
    JsonNode array = getJson(vmsPath(query, fields));
    List<JsonNode> out = new ArrayList<>(array.size());
    for (JsonNode vm : requireArray(array)) {
      out.add(vm);
    }
    return out;
  }

  /** {@code GET /vms/{id}} by uuid or zonename; {@link VminfoNotFoundException} if none. */
  public Vm vm(String uuidOrZonename) throws IOException, InterruptedException {
    Objects.requireNonNull(uuidOrZonename, "uuidOrZonename");
    if (uuidOrZonename.isEmpty()) {
      throw new IllegalArgumentException("VM id must not be empty");
    }
    JsonNode json = getJson("vms/" + PercentEncoding.encode(uuidOrZonename));
    try {
      return Vm.of(json);
    } catch (IllegalArgumentException e) {
      throw new VminfoClientException(
          "/vms/" + uuidOrZonename + " returned a bad VM: " + e.getMessage(), e);
    }
  }

  /** Like {@link #vm(String)}, but empty instead of {@link VminfoNotFoundException}. */
  public Optional<Vm> findVm(String uuidOrZonename) throws IOException, InterruptedException {
    try {
      return Optional.of(vm(uuidOrZonename));
    } catch (VminfoNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Opens {@code GET /events} and keeps it open (reconnecting and resuming) until closed. The
   * listener's first call is {@link FeedListener#onReady} (or {@link FeedListener#onResumed} when
   * resuming from {@link EventStreamOptions#resumeFrom()}).
   */
  public EventStream events(EventStreamOptions options, FeedListener listener) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(listener, "listener");
    FeedConnection stream =
        new FeedConnection(
            http,
            base,
            options,
            listener,
            scheduler,
            clock,
            random,
            requestTimeout,
            userAgent,
            maxLineBytes,
            this::unregister);
    register(stream);
    stream.start();
    return stream;
  }

  /**
   * Starts watching for the first event that matches {@code pattern} (vminfod's {@code
   * watchForEvent}) and returns once the watch is listening, so the caller can then cause the
   * event. {@link EventWatch#await()} returns the matching event.
   */
  public EventWatch<FeedMessage.Event> watchForEvent(EventPattern pattern, WatchOptions options)
      throws IOException, InterruptedException {
    Objects.requireNonNull(pattern, "pattern");
    Watch<FeedMessage.Event> watch =
        new Watch<>(
            e -> pattern.matches(e) ? Optional.of(e) : Optional.empty(),
            () -> "waiting for an event matching " + pattern,
            options.timeout());
    return arm(watch, pattern, options);
  }

  /**
   * Starts watching for changes (vminfod's {@code watchForChanges}): among events matching {@code
   * pattern}, every group of {@code expected} must be seen in some change. Returns once listening;
   * {@link EventWatch#await()} returns the events whose changes matched.
   */
  public EventWatch<List<FeedMessage.Event>> watchForChanges(
      EventPattern pattern, ChangeExpectation expected, WatchOptions options)
      throws IOException, InterruptedException {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(expected, "expected");
    ChangeTracker tracker = new ChangeTracker(expected, options.firstMatch());
    List<FeedMessage.Event> matched = new ArrayList<>();
    Watch<List<FeedMessage.Event>> watch =
        new Watch<>(
            e -> {
              if (!pattern.matches(e)) {
                return Optional.empty();
              }
              if (tracker.offer(e)) {
                matched.add(e);
              }
              return tracker.isDone() ? Optional.of(List.copyOf(matched)) : Optional.empty();
            },
            () ->
                tracker.remaining()
                    + " of "
                    + expected.groups().size()
                    + " expected changes not seen, for events matching "
                    + pattern,
            options.timeout());
    if (expected.isEmpty()) {
      watch.complete(List.of());
      return watch;
    }
    return arm(watch, pattern, options);
  }

  /** Closes every stream and watch this client opened, and its threads. */
  @Override
  public void close() {
    List<EventStream> open;
    synchronized (streams) {
      closed = true;
      open = new ArrayList<>(streams);
      streams.clear();
    }
    for (EventStream s : open) {
      s.close();
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    executor.shutdownNow();
  }

  /**
   * Asks the agent to carry out {@code action} on a VM (uuid or zonename); returns the job as
   * queued. The agent serves this only with {@code actions.enabled}; a full queue is a {@link
   * VminfoApiException} with status 429.
   */
  public JobInfo act(String uuidOrZonename, GuestAction action)
      throws IOException, InterruptedException {
    String rel = "vms/" + PercentEncoding.encode(uuidOrZonename) + "/" + action.wireName();
    return JobInfo.of(json(send(rel, true, 202), rel));
  }

  /** {@code GET /alarms}: the open alarms and active suppressions (agent with alarms.enabled). */
  public JsonNode alarms() throws IOException, InterruptedException {
    return getJson("alarms");
  }

  /**
   * Suppresses alarms of these VMs (empty: all) and rules (empty: all) for {@code duration} (empty:
   * until lifted); returns the suppression. Needs the agent's {@code alarms.api_writes}.
   */
  public JsonNode suppressAlarms(
      List<String> vms, List<String> rules, Optional<Duration> duration, String reason)
      throws IOException, InterruptedException {
    StringBuilder q = new StringBuilder("alarms/suppressions?");
    for (String vm : vms) {
      q.append("vm=").append(PercentEncoding.encode(vm)).append('&');
    }
    for (String r : rules) {
      q.append("rule=").append(PercentEncoding.encode(r)).append('&');
    }
    if (duration.isPresent()) {
      long ms = duration.get().toMillis();
      q.append("for=").append(ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms").append('&');
    }
    if (!reason.isEmpty()) {
      q.append("reason=").append(PercentEncoding.encode(reason)).append('&');
    }
    String rel = q.substring(0, q.length() - 1);
    return json(send(rel, "POST", 201), "alarms/suppressions").path("suppression");
  }

  /** Lifts a suppression by id. */
  public void liftAlarmSuppression(String id) throws IOException, InterruptedException {
    send("alarms/suppressions/" + PercentEncoding.encode(id), "DELETE", 200);
  }

  /** One job by id. */
  public JobInfo job(String id) throws IOException, InterruptedException {
    String rel = "jobs/" + PercentEncoding.encode(id);
    return JobInfo.of(getJson(rel));
  }

  /** Every job the agent keeps, oldest first. */
  public List<JobInfo> jobs() throws IOException, InterruptedException {
    return jobList("jobs");
  }

  /** The jobs of one VM, oldest first. */
  public List<JobInfo> jobsOf(String uuidOrZonename) throws IOException, InterruptedException {
    return jobList("vms/" + PercentEncoding.encode(uuidOrZonename) + "/jobs");
  }

  /**
   * Waits until the job is Complete or Error (asking the agent every 100 ms); a {@link
   * VminfoTimeoutException} when {@code timeout} passes first.
   */
  public JobInfo awaitJob(String id, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JobInfo j = job(id);
      if (j.finished()) {
        return j;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new VminfoTimeoutException(
            "job " + id + " is still " + j.status() + " after " + timeout.toMillis() + " ms");
      }
      Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
    }
  }

  private List<JobInfo> jobList(String rel) throws IOException, InterruptedException {
    List<JobInfo> out = new ArrayList<>();
    for (JsonNode n : requireArray(getJson(rel))) {
      out.add(JobInfo.of(n));
    }
    return out;
  }

  private <T> EventWatch<T> arm(Watch<T> watch, EventPattern pattern, WatchOptions options)
      throws IOException, InterruptedException {
    EventStreamOptions streamOptions = options.stream();
    if (pattern.requiredUuid().isPresent()) {
      streamOptions = streamOptions.withUuids(Set.of(pattern.requiredUuid().get()));
    }
    if (pattern.requiredType().isPresent()) {
      VmEventType t = pattern.requiredType().get();
      streamOptions = streamOptions.withTypes(Set.of(t));
    }
    EventStream stream = events(streamOptions, watch);
    watch.attach(stream);
    if (!stream.awaitStarted(options.timeout())) {
      watch.close();
      throw new VminfoTimeoutException(
          "could not start watching the event feed of "
              + base
              + " within "
              + options.timeout().toMillis()
              + " ms");
    }
    return watch;
  }

  private void register(EventStream stream) {
    synchronized (streams) {
      if (closed) {
        throw new IllegalStateException("the client is closed");
      }
      streams.add(stream);
    }
  }

  private void unregister(EventStream stream) {
    synchronized (streams) {
      streams.remove(stream);
    }
  }

  private String vmsPath(VmQuery query, List<String> fields) {
    StringBuilder p = new StringBuilder("vms");
    char sep = '?';
    if (query.state().isPresent()) {
      p.append(sep).append("state=").append(PercentEncoding.encode(query.state().get()));
      sep = '&';
    }
    if (query.brand().isPresent()) {
      p.append(sep).append("brand=").append(PercentEncoding.encode(query.brand().get()));
      sep = '&';
    }
    if (query.ownerUuid().isPresent()) {
      p.append(sep).append("owner_uuid=").append(PercentEncoding.encode(query.ownerUuid().get()));
      sep = '&';
    }
    if (!fields.isEmpty()) {
      p.append(sep).append("fields=").append(PercentEncoding.encode(String.join(",", fields)));
    }
    return p.toString();
  }

  private static JsonNode requireArray(JsonNode node) throws VminfoClientException {
    if (!node.isArray()) {
      throw new VminfoClientException("expected a JSON array from the agent");
    }
    return node;
  }

  private JsonNode getJson(String relative) throws IOException, InterruptedException {
    return json(get(relative), relative);
  }

  private byte[] get(String relative) throws IOException, InterruptedException {
    return send(relative, false, 200);
  }

  private JsonNode json(byte[] body, String relative) throws IOException {
    try {
      JsonNode json = Json.MAPPER.readTree(body);
      if (json == null) {
        throw new VminfoClientException("empty response from " + relative);
      }
      return json;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new VminfoClientException(
          "response of /" + relative + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private byte[] send(String relative, boolean post, int expected)
      throws IOException, InterruptedException {
    return send(relative, post ? "POST" : "GET", expected);
  }

  private byte[] send(String relative, String method, int expected)
      throws IOException, InterruptedException {
    URI uri = base.resolve(relative);
    if (unixSocket.isPresent()) {
      return sendOverSocket(uri, method, expected);
    }
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(uri)
            .timeout(requestTimeout)
            .header("User-Agent", userAgent)
            .header("Accept", "application/json")
            .method(method, HttpRequest.BodyPublishers.noBody());
    boolean write = !method.equals("GET");
    if (write && signer.isPresent()) {
      String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      signer.get().headers(method, target).forEach(rb::setHeader);
    }
    HttpRequest request = rb.build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, info -> new BoundedBody(maxResponseBytes));
    } catch (HttpTimeoutException e) {
      throw new VminfoTimeoutException(
          "no answer from " + uri + " within " + requestTimeout.toMillis() + " ms", e);
    } catch (ConnectException e) {
      throw new VminfoClientException("cannot connect to the agent at " + base + ": " + e, e);
    } catch (VminfoClientException e) {
      throw e;
    } catch (IOException e) {
      if (e.getCause() instanceof VminfoClientException vce) {
        throw vce;
      }
      throw new VminfoClientException(method + " " + uri + " failed: " + e, e);
    }
    if (response.statusCode() != expected) {
      throw ErrorBodies.toException(response.statusCode(), response.body());
    }
    return response.body();
  }

  /** {@link #send} over the agent's local UNIX socket. */
  private byte[] sendOverSocket(URI uri, String method, int expected)
      throws IOException, InterruptedException {
    String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put("User-Agent", userAgent);
    headers.put("Accept", "application/json");
    if (!method.equals("GET") && signer.isPresent()) {
      headers.putAll(signer.get().headers(method, target));
    }
    UnixSocketExchange.Response response;
    try {
      response =
          UnixSocketExchange.exchange(
              unixSocket.get(),
              method,
              target,
              headers,
              requestTimeout,
              maxResponseBytes,
              executor);
    } catch (IOException e) {
      throw new VminfoClientException(
          method + " " + target + " on " + unixSocket.get() + " failed: " + e.getMessage(), e);
    }
    if (response.status() != expected) {
      throw ErrorBodies.toException(response.status(), response.body());
    }
    return response.body();
  }

  /** Configures a client. */
  public static final class Builder {
    private final URI base;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private long maxResponseBytes = 256L * 1024 * 1024;
    private int maxLineBytes = FeedCodec.MAX_LINE_BYTES;
    private String userAgent = "vminfo-client/1 (java " + Runtime.version().feature() + ")";
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private RandomGenerator random = RandomGenerator.getDefault();
    private Optional<RequestSigner> signer = Optional.empty();
    private Optional<java.nio.file.Path> unixSocket = Optional.empty();

    private Builder(URI base) {
      Objects.requireNonNull(base, "base");
      if (!"http".equals(base.getScheme()) || base.getHost() == null) {
        throw new IllegalArgumentException("agent URI must be http://host:port, got " + base);
      }
      if (base.getRawQuery() != null || base.getRawFragment() != null) {
        throw new IllegalArgumentException("agent URI must not have a query or fragment: " + base);
      }
      this.base = base;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Durations.requirePositive(timeout, "connectTimeout");
      return this;
    }

    /** How long a request (or an event stream's response headers) may take. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Durations.requirePositive(timeout, "requestTimeout");
      return this;
    }

    /** Largest response body accepted (default 256 MiB). */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxResponseBytes must be >= 1024");
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /** Longest feed line accepted (default {@link FeedCodec#MAX_LINE_BYTES}). */
    public Builder maxLineBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxLineBytes must be >= 1024");
      }
      this.maxLineBytes = bytes;
      return this;
    }

    /** Shown in the agent's {@code /status} for event listeners. */
    public Builder userAgent(String userAgent) {
      if (userAgent == null || userAgent.isBlank()) {
        throw new IllegalArgumentException("userAgent must be non-blank");
      }
      this.userAgent = userAgent;
      return this;
    }

    /** Time source for the idle watchdog (tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Runs reconnect delays and idle checks on {@code scheduler}, which stays owned by the caller
     * (tests drive it by hand). By default the client owns one thread for this.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Makes the calls (not the event streams, which stay on HTTP) over the agent's local UNIX
     * socket ({@code actions.socket}), where a write needs no signature: the agent knows the caller
     * from the socket's peer credentials.
     */
    public Builder unixSocket(java.nio.file.Path socket) {
      this.unixSocket = Optional.of(Objects.requireNonNull(socket, "socket"));
      return this;
    }

    /**
     * Signs every write (guest actions); without one, writes go unsigned and the agent refuses
     * them.
     */
    public Builder requestSigner(RequestSigner signer) {
      this.signer = Optional.of(Objects.requireNonNull(signer, "signer"));
      return this;
    }

    Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    public VminfoClient build() {
      return new VminfoClient(this);
    }
  }
}
