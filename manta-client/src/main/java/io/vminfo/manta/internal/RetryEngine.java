package io.vminfo.manta.internal;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs operations: signs each attempt, sends it through the transport, maps refusals to
 * MantaExceptions and retries what is retryable (backoff with jitter, or Retry-After, capped by the
 * policy) as long as the body can be sent again and nothing reached the caller yet.
 */
public final class RetryEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetryEngine.class);

  /** One kind of request: how to build it per attempt and what a success means. */
  public abstract static class Operation<T> {
    /** The request for one attempt; {@code auth} holds host, date, authorization, role, UA. */
    public abstract RequestSpec spec(Map<String, String> auth);

    /** A fresh sink per attempt. */
    public ResponseSink<?> sink() {
      return Sinks.discard();
    }

    /** False for one-shot bodies: once opened, never sent again. */
    public boolean replayable() {
      return true;
    }

    /** A result delivered before the exchange ends (a stream, once its headers are in). */
    public Optional<CompletableFuture<T>> early(ResponseSink<?> sink) {
      return Optional.empty();
    }

    /** The result of a 2xx/304 answer; may throw a MantaException (e.g. MD5 mismatch). */
    public abstract T onSuccess(HttpExchange.Response<?> r);
  }

  private final Authorizer authorizer;
  private final Optional<ExecutorService> signerThread;
  private final String hostHeader;
  private final Optional<String> roleHeader;
  private final String userAgent;
  private final RetryPolicy policy;
  private final Clock clock;
  private final Transport transport;
  private final DoubleSupplier random;

  public RetryEngine(
      Authorizer authorizer,
      String hostHeader,
      Optional<String> roleHeader,
      String userAgent,
      RetryPolicy policy,
      Clock clock,
      Transport transport) {
    this(
        authorizer,
        hostHeader,
        roleHeader,
        userAgent,
        policy,
        clock,
        transport,
        () -> ThreadLocalRandom.current().nextDouble(),
        false);
  }

  /**
   * @param random jitter source in [0, 1); tests pin it
   * @param callerThreads true when operations run on their callers' threads (the blocking
   *     transport): then even a blocking signer signs there, as nothing else waits on that thread
   */
  public RetryEngine(
      Authorizer authorizer,
      String hostHeader,
      Optional<String> roleHeader,
      String userAgent,
      RetryPolicy policy,
      Clock clock,
      Transport transport,
      DoubleSupplier random,
      boolean callerThreads) {
    this.authorizer = authorizer;
    // A signer that may block (ssh-agent) must not run on an I/O thread, where retries start.
    this.signerThread =
        authorizer.blocking() && !callerThreads
            ? Optional.of(
                Executors.newSingleThreadExecutor(new DefaultThreadFactory("manta-signer", true)))
            : Optional.empty();
    this.hostHeader = hostHeader;
    this.roleHeader = roleHeader;
    this.userAgent = userAgent;
    this.policy = policy;
    this.clock = clock;
    this.transport = transport;
    this.random = random;
  }

  public <T> CompletableFuture<T> execute(Operation<T> op) {
    CompletableFuture<T> outer = new CompletableFuture<>();
    attempt(op, 1, outer);
    return outer;
  }

  private <T> void attempt(Operation<T> op, int n, CompletableFuture<T> outer) {
    if (signerThread.isPresent()) {
      try {
        signerThread.get().execute(() -> send(op, n, outer));
      } catch (RejectedExecutionException e) {
        outer.completeExceptionally(new IllegalStateException("client is closed"));
      }
    } else {
      send(op, n, outer);
    }
  }

  /** The signed headers every request carries. */
  Map<String, String> authHeaders() {
    Authorizer.Signed signed = authorizer.now();
    Map<String, String> auth = new LinkedHashMap<>();
    auth.put("host", hostHeader);
    auth.put("date", signed.date());
    signed.authorization().ifPresent(a -> auth.put("authorization", a));
    roleHeader.ifPresent(r -> auth.put("role", r));
    auth.put("user-agent", userAgent);
    return auth;
  }

  private <T> void send(Operation<T> op, int n, CompletableFuture<T> outer) {
    RequestSpec spec;
    ResponseSink<?> sink;
    try {
      spec = op.spec(authHeaders());
      sink = op.sink();
    } catch (RuntimeException e) {
      outer.completeExceptionally(e);
      return;
    }
    op.early(sink)
        .ifPresent(
            f ->
                f.whenComplete(
                    (v, e) -> {
                      if (e == null) {
                        outer.complete(v);
                      }
                    }));
    AtomicBoolean bodyOpened = new AtomicBoolean();
    CompletableFuture<HttpExchange.Response<Object>> sent;
    try {
      sent = transport.exchange(spec, sink, bodyOpened);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (r, e) -> {
          if (outer.isDone()) {
            return; // delivered early (stream): later errors travel through the stream
          }
          MantaException failure;
          long retryAfter = -1;
          if (e == null && (r.status() >= 200 && r.status() < 300 || r.status() == 304)) {
            try {
              outer.complete(op.onSuccess(r));
              return;
            } catch (MantaException me) {
              failure = me;
            } catch (RuntimeException re) {
              outer.completeExceptionally(re);
              return;
            }
          } else if (e == null) {
            failure =
                ResponseErrors.of(
                    r.status(),
                    Optional.ofNullable(r.headers().get("x-request-id")),
                    r.errorBody());
            retryAfter =
                ResponseErrors.retryAfterMillis(r.headers().get("retry-after"), clock.instant());
          } else {
            try {
              failure = ResponseErrors.unwrap(e);
            } catch (RuntimeException programming) {
              outer.completeExceptionally(programming);
              return;
            }
          }
          Optional<Duration> delay = retryDelay(failure, n, op, spec, bodyOpened, sink, retryAfter);
          if (delay.isEmpty()) {
            outer.completeExceptionally(failure);
            return;
          }
          LOG.debug(
              "retrying {} {} in {} ms after {}",
              spec.method(),
              spec.uri(),
              delay.get().toMillis(),
              failure.toString());
          try {
            transport.schedule(() -> attempt(op, n + 1, outer), delay.get().toMillis());
          } catch (RejectedExecutionException closed) {
            outer.completeExceptionally(failure);
          }
        });
  }

  /** The wait before another attempt after {@code failure} of attempt {@code n}, or none. */
  private Optional<Duration> retryDelay(
      MantaException failure,
      int n,
      Operation<?> op,
      RequestSpec spec,
      AtomicBoolean bodyOpened,
      ResponseSink<?> sink,
      long retryAfter) {
    boolean bodyOk = op.replayable() || spec.body() == null || !bodyOpened.get();
    if (failure.retryable() && n < policy.maxAttempts() && bodyOk && sink.retryable()) {
      return Optional.of(policy.delayAfter(n, random.getAsDouble(), retryAfter));
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    signerThread.ifPresent(ExecutorService::shutdownNow);
  }
}
