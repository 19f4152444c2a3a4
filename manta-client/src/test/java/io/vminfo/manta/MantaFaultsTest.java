package io.vminfo.manta;

import static io.vminfo.manta.MantaClientTest.catchManta;
import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.manta.emulator.MantaEmulator;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, timeouts, broken connections and corrupt data, injected by the emulator. */
class MantaFaultsTest {
  @TempDir Path tmp;
  EmulatorFixture fx;
  BlockingMantaClient manta;

  @BeforeEach
  void start() throws Exception {
    fx = new EmulatorFixture(Files.createDirectories(tmp.resolve("manta")));
    manta = fx.manta();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private long faultedThen(Runnable r) {
    long before = fx.emulator.requestCount();
    r.run();
    return fx.emulator.requestCount() - before;
  }

  @Test
  void retries503AndThrottlingThenSucceeds() {
    fx.emulator.faults().failNext(2);
    assertThat(faultedThen(() -> manta.put("/alice/stor/x", new byte[] {1}))).isEqualTo(3);
    fx.emulator.faults().throttleNext(3).retryAfter(0);
    assertThat(faultedThen(() -> manta.getBytes("/alice/stor/x"))).isEqualTo(4);
    assertThat(fx.emulator.requests()).filteredOn(MantaEmulator.Request::faulted).hasSize(5);
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastError() {
    fx.emulator.faults().failNext(10, 503, "ThrottledError");
    MantaException e = catchManta(() -> manta.getBytes("/alice/stor/none"));
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.code()).isEqualTo("ThrottledError");
    assertThat(e.retryable()).isTrue();
    assertThat(fx.emulator.requestCount()).isEqualTo(4);
  }

  @Test
  void neverRetriesOther4xx() {
    fx.emulator.faults().failNext(1, 409, "ConcurrentRequest");
    assertThat(
            faultedThen(
                () ->
                    assertThat(catchManta(() -> manta.put("/alice/stor/y", new byte[] {1})).code())
                        .isEqualTo("ConcurrentRequest")))
        .isEqualTo(1);
    assertThat(faultedThen(() -> catchManta(() -> manta.put("/alice/stor/none/y", new byte[] {1}))))
        .isEqualTo(1);
  }

  @Test
  void retriesDroppedConnectionsWithReplayableBodies(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("f");
    Files.write(file, new byte[100_000]);
    fx.emulator.faults().dropNext(2);
    MantaPutResult r =
        manta.put("/alice/stor/dropped", file, PutOptions.defaults().withComputedContentMd5());
    assertThat(r.size()).isEqualTo(100_000);
    assertThat(manta.getBytes("/alice/stor/dropped")).hasSize(100_000);
  }

  @Test
  void doesNotRetryAConsumedOneShotStream() {
    fx.emulator.faults().failNext(1);
    MantaException e =
        catchManta(
            () ->
                fx.client
                    .blocking()
                    .put(
                        "/alice/stor/once",
                        MantaBody.ofStream(new ByteArrayInputStream(new byte[10]), 10),
                        PutOptions.defaults()));
    assertThat(e.status()).isEqualTo(503);
    assertThat(fx.emulator.requestCount()).isEqualTo(1);
    // a stream supplier can be replayed
    fx.emulator.faults().failNext(1);
    manta.put(
        "/alice/stor/twice",
        MantaBody.ofStreams(() -> new ByteArrayInputStream(new byte[10]), 10),
        PutOptions.defaults());
    assertThat(manta.getBytes("/alice/stor/twice")).hasSize(10);
  }

  @Test
  void truncatedDownloadsFailAndLeaveNoFile(@TempDir Path dir) {
    manta.put("/alice/stor/t", new byte[50_000]);
    fx.emulator.faults().truncateNext(10);
    Path target = dir.resolve("t");
    MantaException e = catchManta(() -> manta.getToFile("/alice/stor/t", target));
    assertThat(e.code()).isEqualTo(MantaException.CONNECTION_CLOSED);
    assertThat(e.getMessage()).contains("middle of the response body");
    assertThat(target).doesNotExist();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    } catch (java.io.IOException io) {
      throw new AssertionError(io);
    }
    fx.emulator.faults().reset();
    manta.getToFile("/alice/stor/t", target);
    assertThat(target).hasSize(50_000);
  }

  @Test
  void lostPutAnswerIsNoSuccess() {
    fx.emulator.faults().truncateNext(10);
    MantaException e = catchManta(() -> manta.put("/alice/stor/tp", new byte[] {1}));
    assertThat(e.code()).isEqualTo(MantaException.CONNECTION_CLOSED);
    assertThat(e.getMessage()).contains("before a response");
    assertThat(fx.emulator.requestCount()).isEqualTo(4);
  }

  @Test
  void md5MismatchesAreErrors(@TempDir Path dir) {
    fx.emulator.faults().corruptNext(1);
    MantaException put = catchManta(() -> manta.put("/alice/stor/m", new byte[] {1, 2, 3}));
    assertThat(put.code()).isEqualTo(MantaException.MD5_MISMATCH);
    assertThat(put.retryable()).isFalse();

    fx.emulator.faults().corruptNext(1);
    assertThat(catchManta(() -> manta.getToFile("/alice/stor/m", dir.resolve("m"))).code())
        .isEqualTo(MantaException.MD5_MISMATCH);
    assertThat(dir.resolve("m")).doesNotExist();
    fx.emulator.faults().corruptNext(1);
    assertThat(catchManta(() -> manta.getBytes("/alice/stor/m")).code())
        .isEqualTo(MantaException.MD5_MISMATCH);
  }

  @Test
  void slowServerTimesOutAndIsRetried() {
    fx.client.close();
    MantaClient quick =
        MantaClient.create(
            MantaConfig.builder()
                .url(fx.emulator.url())
                .user("alice")
                .signer(MantaSigner.of(fx.key))
                .requestTimeout(Duration.ofMillis(300))
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5)))
                .build());
    try {
      fx.emulator.faults().delayNext(1, Duration.ofSeconds(5));
      quick.blocking().putDirectory("/alice/stor/slow");
      assertThat(fx.emulator.requestCount())
          .isEqualTo(1); // the slow answer is never recorded in time
      fx.emulator.faults().delayAll(Duration.ofSeconds(5));
      MantaException e = catchManta(() -> quick.blocking().head("/alice/stor/slow"));
      assertThat(e.code()).isEqualTo(MantaException.TIMEOUT);
      assertThat(e.retryable()).isTrue();
    } finally {
      fx.emulator.faults().reset();
      quick.close();
    }
  }

  @Test
  void refuseAllUntilToldOtherwise() {
    fx.emulator.faults().refuseAll();
    assertThat(catchManta(() -> manta.head("/alice/stor")).status()).isEqualTo(503);
    fx.emulator.faults().acceptAll();
    manta.head("/alice/stor");
    fx.emulator.faults().dropAll();
    assertThat(catchManta(() -> manta.head("/alice/stor")).status()).isZero();
    fx.emulator.faults().acceptAll();
    manta.head("/alice/stor");
  }

  @Test
  void connectionRefusedIsATransportError() {
    int port = fx.emulator.port();
    fx.close();
    MantaClient c =
        MantaClient.create(
            MantaConfig.builder()
                .url("http://127.0.0.1:" + port)
                .user("alice")
                .signer(MantaSigner.of(fx.key))
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)))
                .build());
    try {
      MantaException e = catchManta(() -> c.blocking().head("/alice/stor"));
      assertThat(e.code()).isEqualTo(MantaException.CONNECT_FAILED);
      assertThat(e.status()).isZero();
    } finally {
      c.close();
    }
    fx = new EmulatorFixture(tmp.resolve("manta"));
  }

  @Test
  void keepAliveReusesConnectionsAfterErrors() {
    for (int i = 0; i < 20; i++) {
      catchManta(() -> manta.put("/alice/stor/nodir/x", new byte[1000]));
      manta.put("/alice/stor/ok" + i, new byte[1000]);
    }
    assertThat(fx.emulator.requestCount()).isEqualTo(40);
  }
}
