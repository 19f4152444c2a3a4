package io.vminfo.manta;

import static io.vminfo.manta.MantaClientTest.catchManta;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Uploads to a server that stops reading in the middle of the body: one that just stalls, and one
 * that answers first (a refusal) and then stops reading, keeping the connection open; and one that
 * stalls under TLS.
 */
class UploadStallTest {
  private static final int BODY = 32 * 1024 * 1024; // far more than loopback socket buffers hold

  private ServerSocket server;
  private final CountDownLatch done = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket();
    server.setReceiveBufferSize(4096); // inherited by accepted sockets: the upload stalls early
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
  }

  @AfterEach
  void stop() throws IOException {
    done.countDown();
    server.close();
  }

  private MantaClient client(Duration requestTimeout) {
    return client(requestTimeout, true);
  }

  /** {@code sockets}: the blocking API on the socket transport, else on Netty's. */
  private MantaClient client(Duration requestTimeout, boolean sockets) {
    return MantaClient.create(
        EmulatorFixture.rawServerConfig(server)
            .blockingSockets(sockets)
            .requestTimeout(requestTimeout)
            .expectContinueTimeout(Duration.ofSeconds(5))
            .build());
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  /** Reads until the client closes; true when it did (false: the connection stayed open). */
  private static boolean closedByClient(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[64 * 1024];
    try {
      while (in.read(buf) >= 0) {
        // the rest of what the client had sent before closing
      }
      return true;
    } catch (SocketException | SSLException reset) {
      return true; // closed without a TLS close_notify: the client cut the TCP connection
    } catch (java.net.SocketTimeoutException open) {
      return false;
    }
  }

  /**
   * Accepts one upload, answers 100 Continue, reads {@code readFirst} body bytes, writes {@code
   * answer} (if any) and stops reading until the test ends; then reports whether the client had
   * closed the connection.
   */
  private CompletableFuture<Boolean> stallAfter(int readFirst, String answer) {
    return stallAfter(server, readFirst, answer);
  }

  private CompletableFuture<Boolean> stallAfter(
      ServerSocket listening, int readFirst, String answer) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = listening.accept()) {
            InputStream in = s.getInputStream();
            readHead(in);
            write(s, "HTTP/1.1 100 Continue\r\n\r\n");
            byte[] buf = new byte[8192];
            for (int got = 0; got < readFirst; ) {
              int n = in.read(buf, 0, Math.min(buf.length, readFirst - got));
              if (n < 0) {
                break;
              }
              got += n;
            }
            if (!answer.isEmpty()) {
              write(s, answer);
            }
            done.await(); // never reads again while the client is at it
            return closedByClient(s);
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** Answers the next request on a new connection with 204. */
  private CompletableFuture<String> answerNext() {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = server.accept()) {
            String head = readHead(s.getInputStream());
            write(s, "HTTP/1.1 204 No Content\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            return head;
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** How a PUT of {@link #BODY} bytes fails. */
  private static MantaException failedLargePut(MantaClient c) {
    return catchManta(
        () ->
            c.blocking()
                .put("/alice/stor/big", MantaBody.ofBytes(new byte[BODY]), PutOptions.defaults()));
  }

  /** A large PUT to a server that stopped reading ends as a 300 ms no-progress timeout. */
  private static void putIntoAStalledWrite(MantaClient c) {
    MantaException e = failedLargePut(c);
    assertThat(e.code()).isEqualTo(MantaException.TIMEOUT);
    assertThat(e.getMessage())
        .contains("no progress for 300 ms sending the request body")
        .contains("the write stalled");
  }

  @ParameterizedTest(name = "socket transport: {0}")
  @ValueSource(booleans = {true, false})
  void aStalledWriteIsATimeoutNamingTheWriteAndTheConnectionIsNotReused(boolean sockets)
      throws Exception {
    CompletableFuture<Boolean> stalled = stallAfter(0, "");
    try (MantaClient c = client(Duration.ofMillis(300), sockets)) {
      putIntoAStalledWrite(c);
      // The next request needs a new connection: the stalled one was not put back in the pool.
      CompletableFuture<String> next = answerNext();
      c.blocking().delete("/alice/stor/other");
      assertThat(next.get(10, TimeUnit.SECONDS)).startsWith("DELETE /alice/stor/other ");
    }
    done.countDown();
    assertThat(stalled.get(20, TimeUnit.SECONDS))
        .as("the client closed the stalled connection")
        .isTrue();
  }

  @Test
  // Without the TCP-level close the writer stays blocked: fail, do not hang (a separate thread,
  // since a blocked socket write ignores interrupts).
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aStalledWriteUnderTlsIsATimeoutToo(@TempDir Path tmp) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(EmulatorFixture.selfSignedKeyStore(tmp), EmulatorFixture.KEY_STORE_PASSWORD);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), null, null);
    try (ServerSocket tlsServer = tls.getServerSocketFactory().createServerSocket()) {
      tlsServer.setReceiveBufferSize(4096);
      tlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
      CompletableFuture<Boolean> stalled = stallAfter(tlsServer, 0, "");
      // Closing a TLS socket would first try to send close_notify behind the stalled write: the
      // watchdog has to cut the TCP socket under it for the writer to return at all.
      try (MantaClient c =
          MantaClient.create(
              EmulatorFixture.rawServerConfig(tlsServer)
                  .url("https://127.0.0.1:" + tlsServer.getLocalPort())
                  .tlsInsecure(true)
                  .blockingSockets(true)
                  .requestTimeout(Duration.ofMillis(300))
                  .expectContinueTimeout(Duration.ofSeconds(5))
                  .build())) {
        putIntoAStalledWrite(c);
      }
      done.countDown();
      assertThat(stalled.get(20, TimeUnit.SECONDS))
          .as("the client closed the stalled TLS connection")
          .isTrue();
    }
  }

  @Test
  void anAnswerInTheMiddleOfAnUploadIsReportedAndItsConnectionClosed() throws Exception {
    String body = "{\"code\":\"RequestEntityTooLarge\",\"message\":\"the object is too large\"}";
    CompletableFuture<Boolean> refused =
        stallAfter(
            64 * 1024,
            "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: application/json\r\n"
                + "x-request-id: r413\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    // A long no-progress bound: before the fix the upload ended only there, as a timeout.
    try (MantaClient c = client(Duration.ofSeconds(20))) {
      MantaException e = failedLargePut(c);
      assertThat(e.status()).isEqualTo(413);
      assertThat(e.code()).isEqualTo("RequestEntityTooLarge");
      assertThat(e.getMessage()).contains("the object is too large");
      assertThat(e.requestId()).hasValue("r413");
      done.countDown();
      assertThat(refused.get(20, TimeUnit.SECONDS)).as("the client closed the connection").isTrue();
    }
  }
}
