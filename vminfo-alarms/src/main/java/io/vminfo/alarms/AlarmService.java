package io.vminfo.alarms;

import io.vminfo.alarms.internal.AlarmEngine;
import io.vminfo.alarms.internal.Dispatcher;
import io.vminfo.alarms.internal.Outbox;
import io.vminfo.alarms.internal.StateFile;
import io.vminfo.alarms.internal.WebhookNotifier;
import io.vminfo.core.SubscribeRequest;
import io.vminfo.core.Subscription;
import io.vminfo.core.SubscriptionStart;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmEventType;
import io.vminfo.core.VmStore;
import io.vminfo.core.concurrent.NamedThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alarms on VM transitions, fed by a {@link VmStore}'s change feed in the same process.
 *
 * <p>Build it with {@link #builder}, add notifiers, {@link #start} it on a store; tell it about
 * requested actions with {@link #actionRequested}/{@link #actionFinished} so their own transitions
 * raise nothing. Open alarms, suppressions and the last VM states live in the state dir, and each
 * notice goes through a durable outbox before delivery, so a restart loses and repeats nothing.
 */
public final class AlarmService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlarmService.class);
  private static final int DRAIN_BATCH = 512;

  private final AlarmsConfig config;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService delivery;
  private final boolean ownsExecutors;
  private final List<Notifier> notifiers;
  private final AlarmEngine engine;
  private final StateFile stateFile;
  private final Outbox outbox;
  private final Dispatcher dispatcher;
  private final Object lock = new Object();
  private VmStore store;
  private Subscription subscription;
  private long lastRev;
  private volatile boolean closed;

  private AlarmService(Builder b) throws IOException {
    this.config = b.config;
    this.clock = b.clock;
    this.notifiers = List.copyOf(b.notifiers);
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.delivery = b.scheduler;
      this.ownsExecutors = false;
    } else {
      this.scheduler = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("alarms"));
      // Delivery blocks on receivers (bounded by their timeouts); keep that off the feed thread.
      this.delivery =
          Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("alarms-deliver"));
      this.ownsExecutors = true;
    }
    Files.createDirectories(config.stateDir());
    this.engine = new AlarmEngine(config);
    this.stateFile = new StateFile(config.stateDir());
    StateFile.Contents c = stateFile.load();
    engine.restore(c.states(), c.alarms(), c.suppressions());
    this.outbox = new Outbox(config.stateDir(), config.outboxMaxPending());
    this.dispatcher =
        new Dispatcher(outbox, notifiers, clock, config.retryBase(), config.retryMax(), b.jitter);
  }

  public static Builder builder(AlarmsConfig config) {
    return new Builder(config);
  }

  public static final class Builder {
    private final AlarmsConfig config;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private DoubleSupplier jitter = Dispatcher.randomJitter();
    private final List<Notifier> notifiers = new ArrayList<>();

    private Builder(AlarmsConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /**
     * Runs the feed, timers and deliveries on this executor (tests: a manual one); not shut down.
     */
    public Builder scheduler(ScheduledExecutorService s) {
      this.scheduler = Objects.requireNonNull(s, "scheduler");
      return this;
    }

    /** The retry jitter, in [0, 1] (0: half the backoff ceiling, 1: all of it); tests fix it. */
    public Builder jitter(DoubleSupplier j) {
      this.jitter = Objects.requireNonNull(j, "jitter");
      return this;
    }

    public Builder notifier(Notifier n) {
      Objects.requireNonNull(n, "notifier");
      if (notifiers.stream().anyMatch(x -> x.name().equals(n.name()))) {
        throw new IllegalArgumentException("two notifiers named " + n.name());
      }
      notifiers.add(n);
      return this;
    }

    /** A webhook notifier: JSON POST to {@code url}, each attempt bounded by {@code timeout}. */
    public Builder webhook(URI url, Duration timeout) {
      return notifier(new WebhookNotifier(url, timeout));
    }

    /** An email notifier: plain SMTP to {@code host:port} (a local relay), each attempt bounded. */
    public Builder email(String host, int port, String from, List<String> to, Duration timeout) {
      return email(host, port, from, to, timeout, SmtpSecurity.plain());
    }

    /** An email notifier protected as {@code security} says (STARTTLS, a login). */
    public Builder email(
        String host,
        int port,
        String from,
        List<String> to,
        Duration timeout,
        SmtpSecurity security) {
      return notifier(
          new io.vminfo.alarms.internal.SmtpNotifier(host, port, from, to, timeout, security));
    }

    public AlarmService build() throws IOException {
      return new AlarmService(this);
    }
  }

  /** Subscribes to the store's feed and starts timers and delivery. */
  public void start(VmStore vmStore) {
    synchronized (lock) {
      if (store != null) {
        throw new IllegalStateException("already started");
      }
      store = Objects.requireNonNull(vmStore, "store");
      if (store.isReady()) {
        subscribe(SubscribeRequest.all().describedAs("alarms"));
      }
    }
    long tickMs = config.tick().toMillis();
    scheduler.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    delivery.scheduleWithFixedDelay(this::deliver, 0, tickMs, TimeUnit.MILLISECONDS);
  }

  private void subscribe(SubscribeRequest req) {
    Subscription sub = store.subscribe(req);
    subscription = sub;
    SubscriptionStart start = sub.start();
    lastRev = start.rev();
    if (start instanceof SubscriptionStart.Snapshot snap) {
      Map<String, Optional<String>> states = new LinkedHashMap<>();
      for (Vm vm : snap.vms()) {
        states.put(vm.uuid(), vm.state());
      }
      apply(engine.resync(states, clock.instant()));
    }
    sub.onAvailable(
        () -> {
          if (!closed) {
            scheduler.execute(this::drain);
          }
        });
  }

  private void drain() {
    try {
      synchronized (lock) {
        if (closed || subscription == null) {
          return;
        }
        List<VmEvent> events;
        while (!(events = subscription.drain(DRAIN_BATCH)).isEmpty()) {
          List<AlarmNotice> notices = new ArrayList<>();
          Instant now = clock.instant();
          for (VmEvent e : events) {
            lastRev = e.rev();
            if (e.type() == VmEventType.DELETE) {
              notices.addAll(engine.deleted(e.uuid(), now));
            } else {
              notices.addAll(engine.observe(e.uuid(), e.vm().flatMap(Vm::state), now));
            }
          }
          apply(notices);
        }
        if (subscription.state() != Subscription.State.OPEN) {
          log.warn(
              "alarm feed subscription ended ({}); resuming after rev {}",
              subscription.endReason().orElse("no reason"),
              lastRev);
          subscribe(
              SubscribeRequest.all().describedAs("alarms").resumingAfter(lastRev, store.epoch()));
        }
      }
    } catch (RuntimeException e) {
      log.error("alarm feed processing failed", e);
    }
  }

  private void tick() {
    try {
      synchronized (lock) {
        // A store still loading has no full picture: a resync against it would take every VM
        // known from the state file for deleted and clear its alarms.
        if (!closed && subscription == null && store.isReady()) {
          subscribe(SubscribeRequest.all().describedAs("alarms"));
        }
        if (!closed && engine.hasTimers()) {
          int sups = engine.suppressions(clock.instant()).size();
          List<AlarmNotice> notices = engine.tick(clock.instant());
          if (!notices.isEmpty() || sups != engine.suppressions(clock.instant()).size()) {
            apply(notices);
          }
        }
      }
    } catch (RuntimeException e) {
      log.error("alarm timer failed", e);
    }
  }

  private void deliver() {
    if (closed) {
      return;
    }
    try {
      dispatcher.pump();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("alarm delivery failed", e);
    }
  }

  /**
   * Outbox first, then the state file: a crash between the two repeats a notice, never loses one.
   */
  private void apply(List<AlarmNotice> notices) {
    try {
      for (AlarmNotice n : notices) {
        log.info(
            "alarm {} {} on vm {}: {}",
            n.alarm().rule().id(),
            n.kind().wireName(),
            n.alarm().vmUuid(),
            n.reason());
        for (Notifier notifier : notifiers) {
          outbox.add(notifier.name(), n);
        }
      }
      save();
    } catch (IOException e) {
      throw new UncheckedIOException("could not persist alarm state in " + config.stateDir(), e);
    }
    if (!notices.isEmpty() && !closed) {
      delivery.execute(this::deliver);
    }
  }

  private void save() throws IOException {
    stateFile.save(
        new StateFile.Contents(
            engine.states(), engine.openAlarms(), engine.suppressions(clock.instant())));
  }

  /**
   * A guest action was requested: its own transitions are expected; reboot/start arm the timeout.
   */
  public void actionRequested(String vmUuid, String action, String requestedBy) {
    requireText(vmUuid, "vmUuid");
    requireText(action, "action");
    Objects.requireNonNull(requestedBy, "requestedBy");
    synchronized (lock) {
      log.debug("action {} on vm {} requested by {}", action, vmUuid, requestedBy);
      engine.actionRequested(vmUuid, action, clock.instant());
    }
  }

  public void actionFinished(String vmUuid, String action, boolean succeeded) {
    requireText(vmUuid, "vmUuid");
    requireText(action, "action");
    synchronized (lock) {
      apply(engine.actionFinished(vmUuid, action, succeeded, clock.instant()));
    }
  }

  public List<Alarm> openAlarms() {
    synchronized (lock) {
      return engine.openAlarms();
    }
  }

  public List<Suppression> suppressions() {
    synchronized (lock) {
      return engine.suppressions(clock.instant());
    }
  }

  public Suppression suppress(SuppressionRequest req) throws IOException {
    Objects.requireNonNull(req, "request");
    synchronized (lock) {
      Instant now = clock.instant();
      Suppression s =
          engine.suppress(
              new Suppression(
                  UUID.randomUUID().toString(),
                  req.vms(),
                  req.rules(),
                  now,
                  req.duration().map(now::plus),
                  req.reason()));
      save();
      log.info(
          "suppression {} added: vms {}, rules {}, until {}",
          s.id(),
          s.vms().isEmpty() ? "all" : s.vms(),
          s.rules().isEmpty() ? "all" : s.rules(),
          s.until().map(Instant::toString).orElse("lifted"));
      return s;
    }
  }

  /** Lifts a suppression; false if there is none with that id. */
  public boolean lift(String id) throws IOException {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      boolean lifted = engine.lift(id).isPresent();
      if (lifted) {
        save();
        log.info("suppression {} lifted", id);
      }
      return lifted;
    }
  }

  public AlarmStatus status() {
    synchronized (lock) {
      return new AlarmStatus(
          engine.openAlarms().size(),
          engine.suppressions(clock.instant()).size(),
          outbox.size(),
          dispatcher.delivered(),
          dispatcher.failedAttempts(),
          engine.suppressedCount());
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (subscription != null) {
        subscription.close();
      }
    }
    if (ownsExecutors) {
      scheduler.shutdownNow();
      delivery.shutdownNow();
      try {
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
        delivery.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Notifier n : notifiers) {
      n.close();
    }
    try {
      outbox.close();
    } catch (IOException e) {
      log.warn("closing the alarm outbox failed", e);
    }
  }

  private static void requireText(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
