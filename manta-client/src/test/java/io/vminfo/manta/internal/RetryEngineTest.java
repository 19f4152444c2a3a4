package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.RetryPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Retries without a network: a scripted transport whose scheduler records the waits. */
class RetryEngineTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  /** Answers from a script; "schedules" by running at once and noting the delay. */
  private static final class ScriptedTransport implements Transport {
    final Deque<Object> script = new ArrayDeque<>();
    final List<Long> delays = new ArrayList<>();
    final List<RequestSpec> sent = new ArrayList<>();

    ScriptedTransport answer(int status, String... headers) {
      HttpHeaders h = new DefaultHttpHeaders();
      for (int i = 0; i < headers.length; i += 2) {
        h.add(headers[i], headers[i + 1]);
      }
      byte[] err =
          status >= 300 ? "{\"code\":\"X\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
      script.add(new HttpExchange.Response<Object>(status, h, "ok", err, 0, Optional.empty()));
      return this;
    }

    ScriptedTransport fail(MantaException e) {
      script.add(e);
      return this;
    }

    @Override
    public CompletableFuture<HttpExchange.Response<Object>> exchange(
        RequestSpec spec, ResponseSink<?> sink, AtomicBoolean bodyOpened) {
      sent.add(spec);
      bodyOpened.set(true);
      Object next = script.removeFirst();
      if (next instanceof MantaException) {
        return CompletableFuture.failedFuture((MantaException) next);
      }
      @SuppressWarnings("unchecked")
      HttpExchange.Response<Object> r = (HttpExchange.Response<Object>) next;
      return CompletableFuture.completedFuture(r);
    }

    @Override
    public void schedule(Runnable task, long delayMillis) {
      delays.add(delayMillis);
      task.run();
    }

    @Override
    public void close() {}
  }

  private static RetryEngine engine(ScriptedTransport t, RetryPolicy policy) {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    return new RetryEngine(
        new Authorizer(Optional.empty(), "alice", Optional.empty(), clock),
        "manta.example",
        Optional.of("ops"),
        "test/1",
        policy,
        clock,
        t,
        () -> 0.0,
        false);
  }

  private static RetryEngine.Operation<String> op(BodySource body, boolean replayable) {
    return new RetryEngine.Operation<>() {
      @Override
      public RequestSpec spec(Map<String, String> auth) {
        return new RequestSpec(HttpMethod.PUT, "/alice/stor/x", auth, body, false);
      }

      @Override
      public boolean replayable() {
        return replayable;
      }

      @Override
      public String onSuccess(HttpExchange.Response<?> r) {
        return (String) r.body();
      }
    };
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void backsOffExponentiallyUntilTheLastAttempt() {
    ScriptedTransport t = new ScriptedTransport().answer(503).answer(503).answer(503).answer(503);
    RetryPolicy p = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(10));
    CompletableFuture<String> f = engine(t, p).execute(op(null, true));
    assertThatThrownBy(() -> await(f))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(MantaException.class, e -> assertThat(e.status()).isEqualTo(503));
    // random 0 = the fixed half of each step: 200/2, 400/2, 800/2
    assertThat(t.delays).containsExactly(100L, 200L, 400L);
    assertThat(t.sent).hasSize(4);
  }

  @Test
  void retryAfterIsHonouredButCappedByTheMaxDelay() throws Exception {
    ScriptedTransport t =
        new ScriptedTransport()
            .answer(503, "retry-after", "3")
            .answer(503, "retry-after", "600")
            .answer(503, "retry-after", "Mon, 07 Dec 2026 12:00:07 GMT")
            .answer(200);
    RetryPolicy p = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(10));
    assertThat(await(engine(t, p).execute(op(null, true)))).isEqualTo("ok");
    assertThat(t.delays).containsExactly(3000L, 10_000L, 7000L);
  }

  @Test
  void aRefusalThatIsNotRetryableFailsAtOnce() {
    ScriptedTransport t = new ScriptedTransport().answer(404);
    CompletableFuture<String> f = engine(t, RetryPolicy.defaults()).execute(op(null, true));
    assertThatThrownBy(() -> await(f)).cause().isInstanceOf(MantaException.class);
    assertThat(t.delays).isEmpty();
  }

  @Test
  void aOneShotBodyOnceOpenedIsNotSentAgain() {
    MantaException reset =
        new MantaException(
            0, MantaException.CONNECTION_CLOSED, "reset", Optional.empty(), true, null);
    ScriptedTransport t = new ScriptedTransport().fail(reset).answer(200);
    BodySource once = BodySource.stream(new ByteArrayInputStream(new byte[] {1}), 1);
    CompletableFuture<String> f = engine(t, RetryPolicy.defaults()).execute(op(once, false));
    assertThatThrownBy(() -> await(f)).cause().isSameAs(reset);
    assertThat(t.sent).hasSize(1);
  }

  @Test
  void aReplayableBodyIsSentAgainAfterAConnectionFailure() throws Exception {
    MantaException reset =
        new MantaException(
            0, MantaException.CONNECTION_CLOSED, "reset", Optional.empty(), true, null);
    ScriptedTransport t = new ScriptedTransport().fail(reset).answer(200);
    BodySource bytes = BodySource.bytes(new byte[] {1, 2});
    assertThat(await(engine(t, RetryPolicy.defaults()).execute(op(bytes, true)))).isEqualTo("ok");
    assertThat(t.sent).hasSize(2);
  }

  @Test
  void everyAttemptIsSignedWithTheCommonHeaders() throws Exception {
    ScriptedTransport t = new ScriptedTransport().answer(200);
    await(engine(t, RetryPolicy.none()).execute(op(null, true)));
    assertThat(t.sent.get(0).headers())
        .containsEntry("host", "manta.example")
        .containsEntry("role", "ops")
        .containsEntry("user-agent", "test/1")
        .containsEntry("date", "Mon, 07 Dec 2026 12:00:00 GMT");
  }
}
