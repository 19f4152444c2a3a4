package io.vminfo.agent;

import io.vminfo.agent.internal.AgentMetrics;
import io.vminfo.agent.internal.Api;
import io.vminfo.agent.internal.ApiHandler;
import io.vminfo.agent.internal.DefaultBackendFactory;
import io.vminfo.agent.internal.DirectoryLock;
import io.vminfo.agent.internal.FeedRegistry;
import io.vminfo.agent.internal.HttpServer;
import io.vminfo.agent.internal.JobLog;
import io.vminfo.agent.internal.JobManager;
import io.vminfo.agent.internal.JobsApi;
import io.vminfo.agent.internal.LocalSocketRelay;
import io.vminfo.agent.internal.RetryingUsageRecorder;
import io.vminfo.agent.internal.RuntimeSettings;
import io.vminfo.agent.internal.SecretFile;
import io.vminfo.agent.internal.ServerIdentity;
import io.vminfo.agent.internal.StateDirectories;
import io.vminfo.agent.internal.StateDirectoryPermissions;
import io.vminfo.agent.internal.Timers;
import io.vminfo.agent.internal.UsageRecorderPort;
import io.vminfo.agent.internal.UsageRecorders;
import io.vminfo.agent.internal.WriteAccess;
import io.vminfo.agent.internal.WriteAuthenticator;
import io.vminfo.alarms.AlarmService;
import io.vminfo.alarms.AlarmsConfig;
import io.vminfo.alarms.SmtpSecurity;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmStore;
import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.fleet.FleetConfig;
import io.vminfo.fleet.FleetPublisher;
import io.vminfo.fleet.FleetStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vminfo agent, embeddable: {@link #start()} loads every VM from the host backend, then opens
 * the HTTP API (DESIGN sections 4 and 5); {@link #stop()} drains within the configured shutdown
 * timeout (stop accepting, stop the watchers, end the feeds, flush usage, close connections).
 *
 * <pre>{@code
 * Agent agent = Agent.builder(AgentConfig.load(args, System.getenv())).build();
 * agent.start();
 * ...
 * agent.stop();
 * }</pre>
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** Lifecycle. */
  public enum State {
    NEW,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED
  }

  private final BackendFactory backendFactory;
  private final Clock clock;
  private final Optional<ScheduledExecutorService> timerScheduler;
  private final Optional<ScheduledExecutorService> usageScheduler;
  private final Duration usageRetry;
  private final Map<String, String> env;
  private final Consumer<String> logLevel;
  private final JobListener jobListener;
  private final AtomicReference<RuntimeSettings> settings;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object lifecycle = new Object();

  private volatile AgentConfig config;
  private volatile State state = State.NEW;
  private StateDirectories.Resolved dirs;

  /** Held from start to the end of teardown: one agent per state (and spool) directory. */
  private final List<DirectoryLock> locks = new ArrayList<>();

  private VmStore store;
  private VmInfoService service;
  private AgentMetrics metrics;
  private UsageRecorderPort usage;
  // The backend's probe, closed after the recorder's last sample when it holds resources (the
  // libvirt probe keeps a libvirt connection for block statistics).
  private UsageProbe usageProbe = UsageProbe.NONE;
  private FleetPublisher fleet;
  private AlarmService alarms;
  private ExecutorService lateUsageStart;
  private FeedRegistry feeds;
  private HttpServer server;
  private JobManager jobs;
  private WriteAccess writers;
  private LocalSocketRelay localSocket;
  private InetSocketAddress address;
  private String serverUuid;
  private String backendName;

  private Agent(Builder b) {
    this.config = b.config;
    this.backendFactory = b.backendFactory;
    this.clock = b.clock;
    this.timerScheduler = Optional.ofNullable(b.timerScheduler);
    this.usageScheduler = Optional.ofNullable(b.usageScheduler);
    this.usageRetry = b.usageRetry;
    this.env = Map.copyOf(b.env);
    this.logLevel = b.logLevel;
    this.jobListener = b.jobListener;
    this.settings = new AtomicReference<>(RuntimeSettings.of(b.config));
  }

  public static Builder builder(AgentConfig config) {
    return new Builder(config);
  }

  /**
   * Starts the agent: resolves its directories and server uuid, creates the backend, loads every VM
   * (waiting up to {@code initial_load_wait}; a slower or failed load goes on or is retried while
   * the agent serves what is loaded), binds the HTTP API, then starts usage recording (once the
   * initial load is complete). On failure everything started so far is stopped again and the
   * exception says why.
   */
  public void start() throws IOException, InterruptedException {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("an agent starts once; it is " + state);
      }
      state = State.STARTING;
    }
    AgentConfig c = config;
    Instant began = clock.instant();
    try {
      dirs = StateDirectories.resolve(c, env);
      locks.add(DirectoryLock.acquire(dirs.stateDir(), "state directory"));
      // A spool_dir of its own is locked by the usage recorder, which keeps trying while that
      // directory cannot be written; only another agent holding it stops this one, at once.
      Optional<Path> separateSpool =
          dirs.spoolDir()
                  .toAbsolutePath()
                  .normalize()
                  .startsWith(dirs.stateDir().toAbsolutePath().normalize())
              ? Optional.empty()
              : Optional.of(dirs.spoolDir());
      if (separateSpool.isPresent()) {
        DirectoryLock.checkNotInUse(separateSpool.get(), "spool directory");
      }
      dirs.fallback().ifPresent(f -> log.warn("state directory: {}", f));
      log.info("state directory {}", dirs.stateDir());
      StateDirectoryPermissions.warning(dirs.stateDir()).ifPresent(log::warn);
      HostBackend backend =
          backendFactory.create(new BackendContext(c, c.hostRoot(), dirs.stateDir()));
      backendName = backend.source().name();
      usageProbe = backend.usageProbe();
      HostIdentity identity;
      try {
        identity = backend.source().hostIdentity();
      } catch (IOException e) {
        log.warn("backend {} could not tell the host identity: {}", backendName, e.toString());
        identity = HostIdentity.unknown();
      }
      serverUuid = ServerIdentity.resolve(identity.serverUuid(), dirs.stateDir());
      Optional<String> dc = identity.datacenterName().or(c::datacenterName);
      store =
          VmStore.builder()
              .clock(clock)
              .history(c.feedHistoryEvents(), c.feedHistoryBytes())
              .subscriberBuffer(c.feedSubscriberBufferEvents(), c.feedSubscriberBufferBytes())
              .build();
      metrics = new AgentMetrics();
      service =
          VmInfoService.builder(backend.source(), store)
              .clock(clock)
              .reconcileInterval(c.reconcileInterval())
              .initialLoadWait(c.initialLoadWait())
              .initialLoadRetry(c.initialLoadRetry())
              .observer(metrics.reloadObserver(backendName))
              .build();
      // Returns once there is something to serve: the whole host, or (when the initial load is
      // slow or fails, and is retried) what is loaded so far; /status says which.
      try {
        service.start();
      } catch (IOException e) {
        throw new IOException(
            "backend "
                + backendName
                + " (host root "
                + c.hostRoot()
                + ") could not start: "
                + e.getMessage(),
            e);
      } catch (InterruptedException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException("backend " + backendName + " could not start: " + e, e);
      }
      warnIfServerUuidsDiffer();
      UsageRecorders.Context usageContext =
          new UsageRecorders.Context(
              c,
              dirs.spoolDir(),
              dirs.archiveDir(),
              dirs.stateDir(),
              serverUuid,
              dc,
              store,
              backend.usageProbe(),
              clock,
              env,
              "vminfod/" + AgentMain.version(),
              usageScheduler);
      try {
        usage =
            new RetryingUsageRecorder(
                UsageRecorders.create(usageContext),
                carry -> UsageRecorders.create(usageContext, carry),
                dirs.spoolDir(),
                separateSpool,
                usageRetry,
                clock);
      } catch (IllegalArgumentException e) {
        throw new IOException("usage recorder: " + e.getMessage(), e);
      }
      feeds = new FeedRegistry();
      metrics.bind(service, store, feeds, usage::counters);
      Instant startedAt = clock.instant();
      Api api =
          new Api(
              service,
              feeds,
              metrics,
              usage,
              clock,
              serverUuid,
              dc,
              startedAt,
              () -> state == State.STOPPING || state == State.STOPPED ? "stopping" : "running");
      if (c.fleetEnabled()) {
        fleet = startFleet(c, dirs.stateDir(), dirs.spoolDir());
        FleetPublisher f = fleet;
        api.fleetStatus(() -> fleetStatusJson(f.status()));
        metrics.bindFleet(f::status);
      }
      // One way in for every write (guest actions, alarm suppressions): a signature by a listed
      // key, or the local socket's peer credentials.
      Optional<WriteAuthenticator> signatures = Optional.empty();
      if (c.actionsEnabled() || (c.alarmsEnabled() && c.alarmsApiWrites())) {
        if (c.actionsAuthorizedKeys().isEmpty() && c.actionsSocket().isEmpty()) {
          throw new IOException(
              (c.actionsEnabled() ? "actions.enabled" : "alarms.api_writes")
                  + " needs actions.authorized_keys (writes signed by a listed key) or"
                  + " actions.socket (writes on a local UNIX socket), or both");
        }
        if (c.actionsAuthorizedKeys().isPresent()) {
          signatures = Optional.of(WriteAuthenticator.load(c.actionsAuthorizedKeys().get(), clock));
        }
        writers =
            new WriteAccess(
                signatures, c.actionsSocketGroup(), System.getProperty("user.name", "root"));
      }
      JobListener listener = jobListener;
      if (c.alarmsEnabled()) {
        alarms = startAlarms(c, dirs.stateDir());
        metrics.bindAlarms(alarms::status);
        api.alarms(
            new io.vminfo.agent.internal.AlarmsApi(
                alarms, c.alarmsApiWrites() ? Optional.of(writers) : Optional.empty()));
        listener = alarmsListener(alarms, jobListener);
      }
      Optional<JobsApi> jobsApi = Optional.empty();
      if (c.actionsEnabled()) {
        JobLog jobLog =
            JobLog.open(dirs.stateDir().resolve("jobs.log"), c.actionsJobsKept(), clock.instant());
        jobs =
            new JobManager(
                store,
                backend.actions(),
                jobLog,
                clock,
                c.actionsQueuePerVm(),
                c.actionsParallel(),
                c.actionsGrace(),
                c.actionsTimeout(),
                listener);
        jobsApi = Optional.of(new JobsApi(jobs, store, writers));
        log.info(
            "guest actions enabled ({}; job log {}; {} authorized keys; socket {})",
            backend.actions().supported().isEmpty()
                ? "this backend has none"
                : "backend can " + backend.actions().supported(),
            dirs.stateDir().resolve("jobs.log"),
            signatures.map(WriteAuthenticator::keyCount).orElse(0),
            c.actionsSocket().map(Path::toString).orElse("none"));
      }
      Optional<JobsApi> writeRoutes = jobsApi;
      Timers timers = timerScheduler.map(Timers::on).orElseGet(Timers::eventLoop);
      int threads =
          c.httpThreads() > 0
              ? c.httpThreads()
              : Math.max(1, Runtime.getRuntime().availableProcessors());
      server = new HttpServer(threads);
      address =
          server.bind(
              c.listenAddress(),
              c.listenPort(),
              c.httpMaxUriBytes(),
              c.httpMaxHeaderBytes(),
              () ->
                  new ApiHandler(
                      api,
                      feeds,
                      metrics,
                      clock,
                      timers,
                      settings::get,
                      () -> state == State.STOPPING || state == State.STOPPED,
                      writeRoutes),
              timers,
              clock,
              settings::get);
      if (writers != null && c.actionsSocket().isPresent()) {
        localSocket = LocalSocketRelay.open(c.actionsSocket().get(), address);
        writers.socket(localSocket);
        log.info("writes also accepted on the local socket {}", localSocket.path());
      }
      // Only once the port is ours: a start that fails earlier (port in use) leaves the spool
      // alone instead of writing a last sample on the way out. And only once the host is loaded:
      // a sample of a half-loaded store would bill its VMs as absent.
      if (service.initialLoadComplete().isDone()) {
        usage.start();
      } else {
        log.warn("usage recording starts once the initial load of {} is complete", backendName);
        lateUsageStart =
            Executors.newSingleThreadExecutor(NamedThreads.daemon("vminfo-usage-start"));
        UsageRecorderPort recorder = usage;
        service.initialLoadComplete().thenRunAsync(() -> startLate(recorder), lateUsageStart);
      }
      if (!InetAddress.getByName(c.listenAddress()).isLoopbackAddress()) {
        log.warn(
            "listening on {}, which is not loopback: the API has no authentication, so"
                + " anyone who can reach this address can read every VM",
            c.listenAddress());
      }
      synchronized (lifecycle) {
        if (state != State.STARTING) {
          throw new IOException("stopped while starting");
        }
        state = State.RUNNING;
      }
      log.info(
          "vminfo agent ready on http://{}:{}/ ({} VMs, backend {}, server {}, epoch {},"
              + " started in {} ms)",
          address.getAddress().getHostAddress(),
          address.getPort(),
          store.size(),
          backendName,
          serverUuid,
          store.epoch(),
          Duration.between(began, clock.instant()).toMillis());
    } catch (IOException | InterruptedException | RuntimeException e) {
      teardown(c.shutdownTimeout());
      synchronized (lifecycle) {
        state = State.STOPPED;
      }
      stopped.countDown();
      throw e;
    }
  }

  /**
   * Stops gracefully within {@code shutdown_timeout}: stops accepting connections, stops the
   * backend's watchers and the reload queue, ends every feed (its last chunk is written), flushes
   * usage, closes the remaining connections. Idempotent; safe from a shutdown hook.
   */
  public void stop() {
    synchronized (lifecycle) {
      if (state == State.STOPPING || state == State.STOPPED) {
        return;
      }
      if (state == State.NEW) {
        state = State.STOPPED;
        stopped.countDown();
        return;
      }
      state = State.STOPPING;
    }
    Duration budget = config.shutdownTimeout();
    Instant began = clock.instant();
    log.info("stopping (within {} ms)", budget.toMillis());
    teardown(budget);
    synchronized (lifecycle) {
      state = State.STOPPED;
    }
    stopped.countDown();
    log.info("stopped in {} ms", Duration.between(began, clock.instant()).toMillis());
  }

  @Override
  public void close() {
    stop();
  }

  /** Waits until the agent has stopped; false on timeout. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Applies a new configuration: keys that can change at run time (log level, feed heartbeat
   * default and subscriber limit, HTTP timeouts, shutdown timeout) take effect now; for the others
   * the report (and the log) says a restart is needed.
   */
  public ConfigReload reload(AgentConfig next) {
    Objects.requireNonNull(next, "next");
    AgentConfig previous = config;
    List<String> applied = new ArrayList<>();
    List<String> restart = new ArrayList<>();
    for (String key : previous.changedKeys(next)) {
      (AgentConfig.isReloadable(key) ? applied : restart).add(key);
    }
    config = next;
    settings.set(RuntimeSettings.of(next));
    if (applied.contains("log_level")) {
      logLevel.accept(next.logLevel());
    }
    if (!applied.isEmpty()) {
      log.info("configuration reloaded; applied: {}", String.join(", ", applied));
    }
    if (!restart.isEmpty()) {
      log.warn(
          "configuration changed but needs a restart to take effect: {}",
          String.join(", ", restart));
    }
    return new ConfigReload(applied, restart);
  }

  public State state() {
    return state;
  }

  /** The address the API listens on (after {@link #start()}). */
  public InetSocketAddress address() {
    requireStarted();
    return address;
  }

  /** {@code http://host:port/} of the API. */
  public URI uri() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort() + "/");
  }

  /** The VM store (read it; the backend is the only writer). */
  public VmStore store() {
    requireStarted();
    return store;
  }

  public String serverUuid() {
    requireStarted();
    return serverUuid;
  }

  /** The state directory in use (after fallback). */
  public java.nio.file.Path stateDir() {
    requireStarted();
    return dirs.stateDir();
  }

  public AgentConfig config() {
    return config;
  }

  /**
   * The VMs' {@code server_uuid} comes from the backend, the usage records' from the agent; both
   * use the same host identity and fallback, so a difference means the host's identity changed
   * (e.g. sysinfo rewritten) and deserves a loud line rather than silently split records.
   */
  private void warnIfServerUuidsDiffer() {
    long other =
        store.list().stream()
            .filter(
                vm -> vm.get("server_uuid").map(n -> !n.asText().equals(serverUuid)).orElse(false))
            .count();
    if (other > 0) {
      log.warn(
          "{} VM(s) have a server_uuid other than this agent's {}; usage records use {}",
          other,
          serverUuid,
          serverUuid);
    }
  }

  private void requireStarted() {
    if (address == null) {
      throw new IllegalStateException("the agent has not started");
    }
  }

  private static void startLate(UsageRecorderPort recorder) {
    try {
      recorder.start();
      log.info("usage recording started after the initial load");
    } catch (IOException | RuntimeException e) {
      log.error(
          "usage recording could not start; it is off until the agent restarts: {}", e.toString());
    }
  }

  private FleetPublisher startFleet(AgentConfig c, Path stateDir, Path spoolDir)
      throws IOException {
    String servers =
        c.fleetBootstrapServers()
            .orElseThrow(
                () ->
                    new IOException(
                        "fleet.enabled is true but fleet.bootstrap_servers is not set"));
    FleetConfig fc;
    try {
      fc =
          FleetConfig.defaults(servers, serverUuid, stateDir.resolve("fleet"))
              .withTopics(c.fleetFeedTopic(), c.fleetVmsTopic(), c.fleetUsageTopic())
              .withTimings(c.fleetAckTimeout(), Duration.ofSeconds(2), Duration.ofMillis(500))
              .withTopicLayout(c.fleetTopicPartitions(), c.fleetReplicationFactor());
      if (c.fleetClientId().isPresent()) {
        fc = fc.withClientId(c.fleetClientId().get());
      }
      if (c.fleetUsage()) {
        fc = fc.withUsageSpool(spoolDir);
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("fleet: " + e.getMessage(), e);
    }
    FleetPublisher p = new FleetPublisher(fc, store);
    p.start();
    return p;
  }

  private AlarmService startAlarms(AgentConfig c, java.nio.file.Path stateDir) throws IOException {
    AlarmService svc;
    String email = "off";
    try {
      AlarmsConfig ac =
          AlarmsConfig.defaults(stateDir.resolve("alarms"))
              .withRebootTimeout(c.alarmsRebootTimeout())
              .withFlapping(c.alarmsFlapTransitions(), c.alarmsFlapWindow());
      AlarmService.Builder b = AlarmService.builder(ac).clock(clock);
      if (c.alarmsWebhookUrl().isPresent()) {
        b.webhook(java.net.URI.create(c.alarmsWebhookUrl().get()), c.alarmsWebhookTimeout());
      }
      if (c.alarmsSmtpHost().isPresent()) {
        SmtpSecurity security = smtpSecurity(c);
        email = "on, " + security;
        b.email(
            c.alarmsSmtpHost().get(),
            c.alarmsSmtpPort(),
            c.alarmsSmtpFrom()
                .orElseThrow(
                    () -> new IllegalArgumentException("alarms.smtp_host needs alarms.smtp_from")),
            c.alarmsSmtpTo(),
            c.alarmsWebhookTimeout(),
            security);
      }
      svc = b.build();
    } catch (IllegalArgumentException e) {
      throw new IOException("alarms: " + e.getMessage(), e);
    }
    svc.start(store);
    log.info(
        "alarms enabled (state {}, webhook {}, email {})",
        stateDir.resolve("alarms"),
        c.alarmsWebhookUrl().isPresent() ? "on" : "off",
        email);
    return svc;
  }

  /** alarms.smtp_starttls, alarms.smtp_user and the password from alarms.smtp_password_file. */
  private static SmtpSecurity smtpSecurity(AgentConfig c) throws IOException {
    SmtpSecurity security = c.alarmsSmtpStartTls() ? SmtpSecurity.startTls() : SmtpSecurity.plain();
    if (c.alarmsSmtpUser().isEmpty()) {
      if (c.alarmsSmtpPasswordFile().isPresent()) {
        throw new IllegalArgumentException("alarms.smtp_password_file needs alarms.smtp_user");
      }
      return security;
    }
    java.nio.file.Path file =
        c.alarmsSmtpPasswordFile()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "alarms.smtp_user needs alarms.smtp_password_file"));
    SecretFile password = SecretFile.read(file, "alarms.smtp_password_file");
    password.warning().ifPresent(log::warn);
    return security.withLogin(c.alarmsSmtpUser().get(), password.secret());
  }

  /**
   * Requested actions tell the alarms their transitions are expected; then the caller's listener.
   */
  private static JobListener alarmsListener(AlarmService alarms, JobListener next) {
    return new JobListener() {
      @Override
      public void jobStarted(Job job) {
        alarms.actionRequested(job.vmUuid(), job.action().wireName(), job.requester());
        next.jobStarted(job);
      }

      @Override
      public void jobFinished(Job job) {
        alarms.actionFinished(
            job.vmUuid(), job.action().wireName(), job.state() == JobState.COMPLETE);
        next.jobFinished(job);
      }
    };
  }

  private static com.fasterxml.jackson.databind.JsonNode fleetStatusJson(FleetStatus s) {
    com.fasterxml.jackson.databind.node.ObjectNode o =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    o.put("connected", s.connected());
    o.put("epoch", s.epoch());
    o.put("lastAckedRev", s.lastAckedRev());
    o.put("lag", s.lag());
    o.put("feedRecords", s.feedRecords());
    o.put("resyncs", s.resyncs());
    o.put("usageRecords", s.usageRecords());
    o.put("usagePosition", s.usagePosition());
    o.put("usageFilesMissed", s.usageFilesMissed());
    o.put("failures", s.failures());
    s.lastError().ifPresent(e -> o.put("lastError", e));
    s.lastAck().ifPresent(t -> o.put("lastAck", t.toString()));
    return o;
  }

  private void teardown(Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    if (lateUsageStart != null) {
      lateUsageStart.shutdownNow();
    }
    if (server != null) {
      server.stopAccepting(remaining(deadline));
    }
    if (localSocket != null) {
      localSocket.close();
    }
    if (jobs != null) {
      jobs.close(remaining(deadline));
    }
    if (service != null) {
      service.close();
    }
    if (alarms != null) {
      alarms.close();
    }
    if (fleet != null) {
      // Before the store closes, or the publisher would see its subscription end and try again.
      fleet.stop(Duration.ofNanos(Math.max(1, (deadline - System.nanoTime()) / 4)));
    }
    if (store != null) {
      store.close(); // ends every subscription: feeds write their last chunk and close
    }
    if (usage != null) {
      try {
        usage.flush(remaining(deadline));
      } catch (RuntimeException e) {
        log.error("flushing usage failed", e);
      }
      usage.close();
    }
    closeProbe();
    if (server != null) {
      // Give feeds a moment to send their last chunk, then close whatever is left.
      server.closeConnections(remaining(deadline));
      server.shutdown(remaining(deadline));
    }
    if (metrics != null) {
      metrics.close();
    }
    // Last: the next agent may start only once this one has written its last record.
    for (DirectoryLock lock : locks) {
      try {
        lock.close();
      } catch (IOException e) {
        log.warn("releasing a directory lock failed: {}", e.toString());
      }
    }
    locks.clear();
  }

  private void closeProbe() {
    if (usageProbe instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("closing the usage probe of {} failed: {}", backendName, e.toString());
      }
    }
    usageProbe = UsageProbe.NONE;
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
  }

  /** Configures an agent. */
  public static final class Builder {
    private final AgentConfig config;
    private BackendFactory backendFactory = new DefaultBackendFactory();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService timerScheduler;
    private ScheduledExecutorService usageScheduler;
    private Duration usageRetry = Duration.ofSeconds(10);
    private Map<String, String> env = System.getenv();
    private Consumer<String> logLevel = level -> {};
    private JobListener jobListener = JobListener.NONE;

    private Builder(AgentConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The backend to serve. The default looks at the host root: SmartOS when {@code
     * <root>/etc/zones} exists, libvirt when {@code <root>/etc/libvirt/qemu} or {@code
     * <root>/run/libvirt/qemu} exists, else the bundled example host.
     */
    public Builder backendFactory(BackendFactory factory) {
      this.backendFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Keeps connection timeouts and feed heartbeats on {@code scheduler} (owned by the caller;
     * tests drive a manual one). By default each connection's event loop keeps time.
     */
    public Builder timerScheduler(ScheduledExecutorService scheduler) {
      this.timerScheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Runs the usage recorder's sampling and shipping on {@code scheduler} (owned by the caller;
     * tests drive a manual one together with {@link #clock}). By default the recorder has its own
     * two threads.
     */
    public Builder usageScheduler(ScheduledExecutorService scheduler) {
      this.usageScheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How often a usage recorder whose spool cannot be used (read-only, missing, not writable) is
     * started again; default 10 seconds. The agent serves meanwhile.
     */
    public Builder usageRetry(Duration every) {
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("usageRetry must be positive, got " + every);
      }
      this.usageRetry = every;
      return this;
    }

    /**
     * The environment for state directory fallbacks and for finding the Manta signing key ({@code
     * SSH_AUTH_SOCK}, {@code HOME}); default: the process environment.
     */
    public Builder env(Map<String, String> env) {
      this.env = Objects.requireNonNull(env, "env");
      return this;
    }

    /**
     * Applies {@code log_level} at start and on reload. By default the agent leaves logging to its
     * embedder; the daemon's main passes its Logback setup.
     */
    public Builder logLevelSetter(Consumer<String> setter) {
      this.logLevel = Objects.requireNonNull(setter, "setter");
      return this;
    }

    /** Told when each guest action (job) starts and ends; see {@link JobListener}. */
    public Builder jobListener(JobListener listener) {
      this.jobListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Agent build() {
      return new Agent(this);
    }
  }
}
