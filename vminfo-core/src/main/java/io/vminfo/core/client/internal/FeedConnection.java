package io.vminfo.core.client.internal;

import io.vminfo.core.FeedCodec;
import io.vminfo.core.FeedFormatException;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.EventStream;
import io.vminfo.core.client.EventStreamOptions;
import io.vminfo.core.client.FeedListener;
import io.vminfo.core.client.ResumePoint;
import io.vminfo.core.client.VminfoClientException;
import io.vminfo.core.client.VminfoTimeoutException;
import io.vminfo.core.concurrent.Backoff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventStream} implementation: one {@code GET /events} at a time, read as a reactive
 * body (so closing is just cancelling), lines parsed with {@link FeedCodec}, reconnects scheduled
 * with {@link Backoff} and resumed from the last revision seen.
 *
 * <p>Every connection attempt has a generation number; callbacks of an older generation are
 * ignored, and delivery to the listener is serialized by one lock, so a listener never sees two
 * connections' lines interleaved.
 */
public final class FeedConnection implements EventStream {
  private static final Logger log = LoggerFactory.getLogger(FeedConnection.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final int IDLE_HEARTBEATS = 3;

  private final HttpClient http;
  private final URI base;
  private final EventStreamOptions options;
  private final FeedListener listener;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Duration requestTimeout;
  private final String userAgent;
  private final int maxLineBytes;
  private final java.util.function.Consumer<EventStream> onClose;

  private final ReentrantLock lock = new ReentrantLock();
  private final ReentrantLock delivery = new ReentrantLock();
  private final Backoff backoff;
  private final RandomGenerator random;

  /** Failed connections since the last one that started; guarded by {@code lock}. */
  private int failures;

  private final CountDownLatch started = new CountDownLatch(1);
  private boolean closed;
  private long generation;
  private Attempt current;
  private ScheduledFuture<?> reconnectTimer;
  private volatile boolean connected;

  // Delivery state, guarded by `delivery`.
  private long lastRev = -1;
  private String epoch;

  public FeedConnection(
      HttpClient http,
      URI base,
      EventStreamOptions options,
      FeedListener listener,
      ScheduledExecutorService scheduler,
      Clock clock,
      RandomGenerator random,
      Duration requestTimeout,
      String userAgent,
      int maxLineBytes,
      java.util.function.Consumer<EventStream> onClose) {
    this.http = http;
    this.base = base;
    this.options = options;
    this.listener = listener;
    this.scheduler = scheduler;
    this.clock = clock;
    this.requestTimeout = requestTimeout;
    this.userAgent = userAgent;
    this.maxLineBytes = maxLineBytes;
    this.onClose = onClose;
    this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
    this.random = random;
    options
        .resumeFrom()
        .ifPresent(
            p -> {
              lastRev = p.rev();
              epoch = p.epoch();
            });
  }

  /** Opens the first connection. */
  public void start() {
    connect();
  }

  @Override
  public Optional<ResumePoint> resumePoint() {
    delivery.lock();
    try {
      return epoch != null && lastRev >= 0
          ? Optional.of(new ResumePoint(lastRev, epoch))
          : Optional.empty();
    } finally {
      delivery.unlock();
    }
  }

  @Override
  public boolean isConnected() {
    return connected;
  }

  @Override
  public boolean awaitStarted(Duration timeout) throws InterruptedException {
    return started.await(timeout.toNanos(), TimeUnit.NANOSECONDS) && !isClosed();
  }

  @Override
  public void close() {
    Attempt a;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      connected = false;
      a = current;
      current = null;
      if (reconnectTimer != null) {
        reconnectTimer.cancel(false);
      }
    } finally {
      lock.unlock();
    }
    if (a != null) {
      a.cancel();
    }
    onClose.accept(this);
    started.countDown(); // awaitStarted returns (false) at once
    // Wait out a callback that is running right now, so none runs after close() returns.
    delivery.lock();
    delivery.unlock();
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private void connect() {
    Attempt attempt;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      attempt = new Attempt(++generation);
      current = attempt;
    } finally {
      lock.unlock();
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri())
            .timeout(requestTimeout)
            .header("User-Agent", userAgent)
            .header("Accept", "application/json")
            .GET()
            .build();
    CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> response =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher());
    attempt.response = response;
    response.whenComplete(
        (resp, err) -> {
          if (err != null) {
            attempt.ended(unwrap(err));
            return;
          }
          if (resp.statusCode() != 200) {
            BoundedBody body = new BoundedBody(MAX_ERROR_BODY);
            resp.body()
                .subscribe(
                    new Flow.Subscriber<>() {
                      @Override
                      public void onSubscribe(Flow.Subscription s) {
                        body.onSubscribe(s);
                      }

                      @Override
                      public void onNext(List<ByteBuffer> item) {
                        body.onNext(item);
                      }

                      @Override
                      public void onError(Throwable t) {
                        body.onError(t);
                      }

                      @Override
                      public void onComplete() {
                        body.onComplete();
                      }
                    });
            body.getBody()
                .whenComplete(
                    (bytes, e) ->
                        attempt.ended(
                            ErrorBodies.toException(
                                resp.statusCode(), bytes == null ? new byte[0] : bytes)));
            return;
          }
          resp.body().subscribe(attempt);
        });
  }

  private URI uri() {
    StringBuilder q = new StringBuilder("events");
    char sep = '?';
    for (String u : options.uuids()) {
      q.append(sep).append("uuid=").append(PercentEncoding.encode(u));
      sep = '&';
    }
    for (VmEventType t : options.types()) {
      q.append(sep).append("type=").append(t.wireName());
      sep = '&';
    }
    for (String k : options.ignoredKeys()) {
      q.append(sep).append("ignore=").append(PercentEncoding.encode(k));
      sep = '&';
    }
    if (options.heartbeat().isPresent()) {
      q.append(sep).append("heartbeat=").append(options.heartbeat().get().toSeconds());
      sep = '&';
    }
    Optional<ResumePoint> resume = resumePoint();
    if (resume.isPresent()) {
      q.append(sep)
          .append("since=")
          .append(resume.get().rev())
          .append("&epoch=")
          .append(PercentEncoding.encode(resume.get().epoch()));
    }
    return base.resolve(q.toString());
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof java.net.http.HttpTimeoutException) {
      return new VminfoTimeoutException("the agent did not answer /events in time", t);
    }
    return t;
  }

  /** One connection: the body subscriber, its line splitter, and its idle watchdog. */
  private final class Attempt implements Flow.Subscriber<List<ByteBuffer>> {
    private final long gen;
    private final LineSplitter lines = new LineSplitter(maxLineBytes);
    private volatile CompletableFuture<?> response;
    private volatile Flow.Subscription subscription;
    private volatile long lastLineMillis = clock.millis();
    private ScheduledFuture<?> watchdog;
    private boolean firstLineSeen;
    private boolean ended;

    Attempt(long gen) {
      this.gen = gen;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (!isCurrent()) {
        s.cancel();
        return;
      }
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      try {
        for (ByteBuffer b : items) {
          lines.feed(b, this::line);
        }
      } catch (FeedFormatException e) {
        cancel();
        ended(new VminfoClientException("bad line on the event stream: " + e.getMessage(), e));
        return;
      } catch (RuntimeException e) {
        cancel();
        ended(e);
        return;
      }
      Flow.Subscription s = subscription;
      if (s != null && isCurrent()) {
        s.request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      ended(unwrap(t));
    }

    @Override
    public void onComplete() {
      ended(new VminfoClientException("the agent ended the event stream"));
    }

    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      CompletableFuture<?> r = response;
      if (r != null) {
        r.cancel(true);
      }
      lock.lock();
      try {
        if (watchdog != null) {
          watchdog.cancel(false);
        }
      } finally {
        lock.unlock();
      }
    }

    private boolean isCurrent() {
      lock.lock();
      try {
        return !closed && current == this;
      } finally {
        lock.unlock();
      }
    }

    private void line(byte[] bytes) {
      lastLineMillis = clock.millis();
      FeedMessage message = FeedCodec.parse(bytes);
      delivery.lock();
      try {
        if (!isCurrent()) {
          return;
        }
        deliver(message);
      } finally {
        delivery.unlock();
      }
    }

    /** Called with the delivery lock held. */
    private void deliver(FeedMessage message) {
      if (message instanceof FeedMessage.Ready ready) {
        if (firstLineSeen) {
          throw new FeedFormatException("a second ready line on one stream");
        }
        firstLineSeen = true;
        epoch = ready.epoch().orElse(null);
        lastRev = ready.rev().orElse(-1);
        onStarted(ready.rev().isPresent());
        safely(() -> listener.onReady(ready));
        started.countDown();
        return;
      }
      if (message instanceof FeedMessage.Resumed resumed) {
        if (firstLineSeen) {
          throw new FeedFormatException("a resumed line after the start of a stream");
        }
        if (resumed.rev().isEmpty()
            || resumed.rev().getAsLong() != lastRev
            || (resumed.epoch().isPresent() && !resumed.epoch().get().equals(epoch))) {
          throw new FeedFormatException(
              "resumed at "
                  + resumed.rev()
                  + " of "
                  + resumed.epoch()
                  + " but asked for "
                  + lastRev
                  + " of "
                  + epoch);
        }
        firstLineSeen = true;
        onStarted(true);
        safely(() -> listener.onResumed(resumed));
        started.countDown();
        return;
      }
      if (!firstLineSeen) {
        throw new FeedFormatException("the stream did not start with ready or resumed");
      }
      if (message instanceof FeedMessage.Heartbeat hb) {
        if (hb.rev().isPresent() && hb.rev().getAsLong() > lastRev && options.filtered()) {
          // A filtered stream is caught up to the heartbeat's revision.
          lastRev = hb.rev().getAsLong();
        }
        safely(() -> listener.onHeartbeat(hb));
        return;
      }
      FeedMessage.Event event = (FeedMessage.Event) message;
      if (event.rev().isPresent()) {
        long rev = event.rev().getAsLong();
        if (lastRev >= 0 && rev <= lastRev) {
          log.debug("dropping event rev {} already seen (at {})", rev, lastRev);
          return;
        }
        if (lastRev >= 0 && !options.filtered() && rev != lastRev + 1) {
          throw new FeedFormatException(
              "event rev " + rev + " after " + lastRev + ": the stream skipped events");
        }
        lastRev = rev;
      }
      safely(() -> listener.onEvent(event));
    }

    private void onStarted(boolean serverHasRevisions) {
      lock.lock();
      try {
        failures = 0;
        if (serverHasRevisions && options.heartbeat().isPresent()) {
          long every = options.heartbeat().get().toMillis();
          try {
            watchdog =
                scheduler.scheduleAtFixedRate(this::checkIdle, every, every, TimeUnit.MILLISECONDS);
          } catch (RejectedExecutionException e) {
            log.debug("client scheduler is shut down; no idle watchdog");
          }
        }
      } finally {
        lock.unlock();
      }
      connected = true;
    }

    private void checkIdle() {
      long every = options.heartbeat().orElseThrow().toMillis();
      long silent = clock.millis() - lastLineMillis;
      if (silent > every * IDLE_HEARTBEATS) {
        cancel();
        ended(
            new VminfoTimeoutException(
                "no line from the agent for " + silent + " ms (heartbeat every " + every + " ms)"));
      }
    }

    private void safely(Runnable callback) {
      try {
        callback.run();
      } catch (RuntimeException e) {
        log.warn("event stream listener failed", e);
      }
    }

    void ended(Throwable cause) {
      Duration delay;
      lock.lock();
      try {
        if (ended) {
          return;
        }
        ended = true;
        if (watchdog != null) {
          watchdog.cancel(false);
        }
        if (closed || current != this) {
          return;
        }
        connected = false;
        current = null;
        failures = Math.min(failures + 1, 62);
        delay = backoff.delay(failures, random.nextDouble());
        try {
          reconnectTimer =
              scheduler.schedule(
                  FeedConnection.this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          log.debug("client scheduler is shut down; not reconnecting");
          return;
        }
      } finally {
        lock.unlock();
      }
      log.debug(
          "event stream disconnected ({}); reconnecting in {} ms",
          cause.toString(),
          delay.toMillis());
      delivery.lock();
      try {
        safely(() -> listener.onDisconnected(cause, delay));
      } finally {
        delivery.unlock();
      }
    }
  }
}
