package io.vminfo.manta;

import static io.vminfo.manta.MantaClientTest.catchManta;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caller streams as bodies: read off the I/O thread, bounded by their declared length. */
class StreamBodyTest {
  @TempDir Path tmp;
  EmulatorFixture fx;

  @BeforeEach
  void start() throws IOException {
    fx = new EmulatorFixture(Files.createDirectories(tmp.resolve("manta"))); // one I/O thread
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  /** Remembers which threads read it. */
  static final class ThreadRecordingStream extends FilterInputStream {
    final Set<String> readers = ConcurrentHashMap.newKeySet();

    ThreadRecordingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      readers.add(Thread.currentThread().getName());
      return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      readers.add(Thread.currentThread().getName());
      return super.read(b, off, len);
    }
  }

  @Test
  void aStreamThatBlocksHoldsUpOnlyItsOwnRequest() throws Exception {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    PipedOutputStream producer = new PipedOutputStream();
    ThreadRecordingStream body =
        new ThreadRecordingStream(new PipedInputStream(producer, 64 * 1024));
    producer.write(data, 0, 1000);

    CompletableFuture<MantaPutResult> slow =
        fx.client.put("/alice/stor/piped", MantaBody.ofStream(body, -1));
    // The producer now stalls; the only I/O thread must go on serving other requests.
    fx.manta().put("/alice/stor/other", new byte[] {1, 2, 3});
    assertThat(fx.manta().getBytes("/alice/stor/other")).containsExactly(1, 2, 3);
    assertThat(fx.manta().head("/alice/stor").directory()).isTrue();
    assertThat(slow).isNotDone();

    producer.write(data, 1000, data.length - 1000);
    producer.close();
    MantaPutResult r = slow.get(10, TimeUnit.SECONDS);
    assertThat(r.size()).isEqualTo(data.length);
    assertThat(fx.manta().getBytes("/alice/stor/piped")).isEqualTo(data);
    assertThat(body.readers).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("manta-body"));
  }

  @Test
  void aOneShotStreamWithMkdirsMakesTheParentsFirst() {
    fx.manta()
        .put(
            "/alice/stor/new/deep/obj",
            MantaBody.ofStream(new java.io.ByteArrayInputStream(new byte[5]), -1),
            PutOptions.defaults().withMkdirs());
    assertThat(fx.manta().getBytes("/alice/stor/new/deep/obj")).hasSize(5);
  }

  @Test
  void aStreamShorterThanItsDeclaredLengthFailsLocallyWithoutRetry() {
    MantaException e =
        catchManta(
            () ->
                fx.manta()
                    .put(
                        "/alice/stor/short",
                        MantaBody.ofStream(new java.io.ByteArrayInputStream(new byte[10]), 20),
                        PutOptions.defaults()));
    assertThat(e.code()).isEqualTo(MantaException.LOCAL_IO);
    assertThat(e.getMessage()).contains("stream ended after 10 of 20 declared bytes");
    assertThat(e.retryable()).isFalse();
    assertThat(catchManta(() -> fx.manta().head("/alice/stor/short")).isNotFound()).isTrue();
  }

  @Test
  void aStreamLongerThanItsDeclaredLengthSendsTheDeclaredBytes() {
    byte[] data = new byte[1000];
    Arrays.fill(data, (byte) 7);
    fx.manta()
        .put(
            "/alice/stor/long",
            MantaBody.ofStream(new java.io.ByteArrayInputStream(data), 600),
            PutOptions.defaults());
    assertThat(fx.manta().getBytes("/alice/stor/long")).hasSize(600);
  }

  @Test
  void aStreamThatFailsMidwayFailsTheUploadWithItsError() {
    InputStream broken =
        new InputStream() {
          private int left = 200_000;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
              throw new IOException("disk went away");
            }
            int n = Math.min(len, left);
            left -= n;
            return n;
          }
        };
    MantaException e =
        catchManta(
            () ->
                fx.manta()
                    .put(
                        "/alice/stor/broken",
                        MantaBody.ofStream(broken, -1),
                        PutOptions.defaults()));
    assertThat(e.code()).isEqualTo(MantaException.LOCAL_IO);
    assertThat(e.getMessage()).contains("disk went away");
    assertThat(catchManta(() -> fx.manta().head("/alice/stor/broken")).isNotFound()).isTrue();
  }
}
