package io.vminfo.alarms.internal;

import io.vminfo.alarms.Notifier;
import io.vminfo.alarms.RejectedNoticeException;
import io.vminfo.core.concurrent.Backoff;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox, per notifier in order: a notice is attempted only once the one before it is
 * delivered, so a receiver sees an alarm's open before its clear. A failure waits core's {@link
 * Backoff} ({@code base * 2^(attempt-1)}, capped at {@code max}, with jitter between half of it and
 * all of it) so many agents whose receiver came back do not retry in lockstep.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final Outbox outbox;
  private final List<Notifier> notifiers;
  private final Clock clock;
  private final Backoff backoff;
  private final DoubleSupplier jitter;
  private final Map<String, Instant> notBefore = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private long delivered;
  private long failedAttempts;

  public Dispatcher(
      Outbox outbox,
      List<Notifier> notifiers,
      Clock clock,
      Duration base,
      Duration max,
      DoubleSupplier jitter) {
    this.outbox = outbox;
    this.notifiers = List.copyOf(notifiers);
    this.clock = clock;
    this.backoff = new Backoff(base, max);
    this.jitter = jitter;
  }

  public static DoubleSupplier randomJitter() {
    return () -> ThreadLocalRandom.current().nextDouble();
  }

  /** One pass: delivers what is due. Runs on the service's delivery thread only. */
  public void pump() throws InterruptedException {
    for (Notifier n : notifiers) {
      pump(n);
    }
  }

  private void pump(Notifier n) throws InterruptedException {
    Instant wait = notBefore.get(n.name());
    if (wait != null && clock.instant().isBefore(wait)) {
      return;
    }
    for (Outbox.Entry e : outbox.pending(n.name())) {
      try {
        n.deliver(e.notice());
        delivered++;
        failures.remove(n.name());
        notBefore.remove(n.name());
        markDone(n, e);
      } catch (RejectedNoticeException ex) {
        log.error(
            "notifier {} rejected notice {} ({} {} on vm {}) for good: {}; dropped",
            n.name(),
            e.notice().deliveryId(),
            e.notice().kind().wireName(),
            e.notice().alarm().rule().id(),
            e.notice().alarm().vmUuid(),
            ex.getMessage());
        markDone(n, e);
      } catch (IOException | RuntimeException ex) {
        failedAttempts++;
        int f = failures.merge(n.name(), 1, Integer::sum);
        Duration delay = backoff(f);
        notBefore.put(n.name(), clock.instant().plus(delay));
        log.warn(
            "notifier {} failed to deliver notice {} (attempt {}): {}; next try in {}",
            n.name(),
            e.notice().deliveryId(),
            f,
            ex.toString(),
            delay);
        return;
      }
    }
  }

  private void markDone(Notifier n, Outbox.Entry e) {
    try {
      outbox.done(n.name(), e.notice().deliveryId());
    } catch (IOException io) {
      // Delivered but not recorded: it may be sent again after a restart; the delivery id lets the
      // receiver drop that duplicate.
      log.error(
          "could not record delivery of notice {} in the outbox", e.notice().deliveryId(), io);
    }
  }

  Duration backoff(int attempt) {
    return backoff.delay(attempt, jitter.getAsDouble());
  }

  public long delivered() {
    return delivered;
  }

  public long failedAttempts() {
    return failedAttempts;
  }
}
