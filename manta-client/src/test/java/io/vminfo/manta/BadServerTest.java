package io.vminfo.manta;

import static io.vminfo.manta.MantaClientTest.catchManta;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hand-written server that misbehaves on purpose, one connection per test. */
class BadServerTest {
  @TempDir Path tmp;

  /**
   * Serves one connection with {@code script(requestHead, socket)}; returns the bytes read after
   * the head.
   */
  private static CompletableFuture<Integer> serveOnce(
      ServerSocket server, BiConsumer<String, Socket> script) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = server.accept()) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
              int b = in.read();
              if (b < 0) {
                break;
              }
              head.write(b);
            }
            script.accept(head.toString(StandardCharsets.ISO_8859_1), s);
            int extra = 0;
            try {
              while (in.read() >= 0) {
                extra++;
              }
            } catch (java.net.SocketException closed) {
              // the client reset the connection: fine
            }
            return extra;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private MantaClient client(int port) {
    return MantaClient.create(
        MantaConfig.builder()
            .url("http://127.0.0.1:" + port)
            .user("alice")
            .signer(MantaSigner.of(EmulatorFixture.key("ed25519_openssh")))
            .retryPolicy(RetryPolicy.none())
            .requestTimeout(Duration.ofSeconds(5))
            .expectContinueTimeout(Duration.ofSeconds(5))
            .build());
  }

  private static void write(Socket s, String text) {
    try {
      OutputStream out = s.getOutputStream();
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void uploadWaitsForContinueAndSendsNoBodyWhenRefused() throws Exception {
    Path file = tmp.resolve("big");
    Files.write(file, new byte[1_000_000]);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c = client(server.getLocalPort())) {
      String body =
          "{\"code\":\"DirectoryDoesNotExist\",\"message\":\"/alice/stor/x does not exist\"}";
      String[] head = new String[1];
      CompletableFuture<Integer> extra =
          serveOnce(
              server,
              (h, s) -> {
                head[0] = h;
                write(
                    s,
                    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nx-request-id: r1\r\nContent-Length: "
                        + body.length()
                        + "\r\n\r\n"
                        + body);
              });
      MantaException e =
          catchManta(() -> c.blocking().put("/alice/stor/x/big", file, PutOptions.defaults()));
      assertThat(e.code()).isEqualTo("DirectoryDoesNotExist");
      assertThat(e.requestId()).hasValue("r1");
      assertThat(extra.get(10, TimeUnit.SECONDS)).as("body bytes sent after a refusal").isZero();
      assertThat(head[0])
          .containsIgnoringCase("expect: 100-continue")
          .containsIgnoringCase("content-length: 1000000")
          .contains(
              "Signature keyId=\"/alice/keys/f9:0f:3f:58:73:64:a0:d5:35:a1:b9:6d:9a:31:14:6d\"")
          .contains("algorithm=\"ed25519-sha512\",headers=\"date\"");
    }
  }

  @Test
  void smallUploadsGoInOneRoundTripWithoutExpect() throws Exception {
    String[] head = new String[1];
    CompletableFuture<Integer> body;
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c = client(server.getLocalPort())) {
      body =
          serveOnce(
              server,
              (h, s) -> {
                head[0] = h;
                write(
                    s,
                    "HTTP/1.1 204 No Content\r\nComputed-MD5: XUFAKrxLKna5cZ2REBfFkg==\r\nEtag: e\r\n"
                        + "x-request-id: r2\r\n\r\n");
              });
      MantaPutResult r =
          c.blocking()
              .put(
                  "/alice/stor/small",
                  MantaBody.ofBytes("hello".getBytes(StandardCharsets.UTF_8)),
                  PutOptions.defaults());
      assertThat(r.computedMd5()).isEqualTo("XUFAKrxLKna5cZ2REBfFkg==");
    }
    // The server read the head before answering; the body had followed it without waiting.
    assertThat(head[0])
        .doesNotContainIgnoringCase("expect:")
        .containsIgnoringCase("content-length: 5");
    assertThat(body.get(10, TimeUnit.SECONDS)).as("body bytes after the head").isEqualTo(5);
  }

  @Test
  void lastModifiedIsParsedAndAGarbledOneIsLeftOut() throws Exception {
    for (String[] c :
        new String[][] {
          {"Sun, 22 Nov 2026 07:01:02 GMT", "2026-11-22T07:01:02Z"},
          {"yesterday-ish", ""}
        }) {
      try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          MantaClient m = client(server.getLocalPort())) {
        serveOnce(
            server,
            (h, s) ->
                write(
                    s,
                    "HTTP/1.1 204 No Content\r\n"
                        + "Computed-MD5: XUFAKrxLKna5cZ2REBfFkg==\r\nLast-Modified: "
                        + c[0]
                        + "\r\n\r\n"));
        MantaPutResult r =
            m.blocking().put("/alice/stor/t", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(r.lastModified().map(Object::toString).orElse("")).as(c[0]).isEqualTo(c[1]);
      }
    }
  }

  @Test
  void hugeResponseHeadersAreRefused() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c = client(server.getLocalPort())) {
      serveOnce(
          server,
          (h, s) ->
              write(
                  s,
                  "HTTP/1.1 200 OK\r\nx-junk: "
                      + "a".repeat(200_000)
                      + "\r\nContent-Length: 0\r\n\r\n"));
      MantaException e = catchManta(() -> c.blocking().head("/alice/stor/x"));
      assertThat(e.code()).isEqualTo(MantaException.BAD_RESPONSE);
    }
  }

  @Test
  void oversizedBodiesAreRefused() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c = client(server.getLocalPort())) {
      serveOnce(
          server, (h, s) -> write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\nabc"));
      MantaException e =
          catchManta(
              () ->
                  c.blocking()
                      .call(() -> c.getBytes("/alice/stor/x", GetOptions.defaults(), 1000)));
      assertThat(e.code()).isEqualTo(MantaException.BAD_RESPONSE);
      assertThat(e.getMessage()).contains("exceeds the limit");
    }
  }

  @Test
  void garbageListingLinesAreErrors() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c = client(server.getLocalPort())) {
      String body =
          "{\"name\":\"a\",\"type\":\"object\",\"mtime\":\"2020-01-01T00:00:00.000Z\"}\nnot json\n";
      serveOnce(
          server,
          (h, s) ->
              write(
                  s,
                  "HTTP/1.1 200 OK\r\nContent-Type: application/x-json-stream; type=directory\r\n"
                      + "Result-Set-Size: 2\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body));
      MantaException e =
          catchManta(() -> c.blocking().listPage("/alice/stor", ListOptions.defaults()));
      assertThat(e.code()).isEqualTo(MantaException.BAD_RESPONSE);
    }
  }

  @Test
  void serverThatIgnoresExpectStillGetsTheBodyAfterTheTimeout() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c =
            MantaClient.create(
                EmulatorFixture.rawServerConfig(server)
                    .expectContinueTimeout(Duration.ofMillis(100))
                    .expectContinueThreshold(0)
                    .build())) {
      CompletableFuture<Integer> got =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  byte[] buf = new byte[8192];
                  ByteArrayOutputStream all = new ByteArrayOutputStream();
                  while (!all.toString(StandardCharsets.ISO_8859_1).endsWith("hello")) {
                    int n = in.read(buf);
                    if (n < 0) {
                      break;
                    }
                    all.write(buf, 0, n);
                  }
                  write(
                      s,
                      "HTTP/1.1 204 No Content\r\nComputed-MD5: XUFAKrxLKna5cZ2REBfFkg==\r\nEtag: e\r\n\r\n");
                  return all.size();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      MantaPutResult r =
          c.blocking().put("/alice/stor/h", "hello".getBytes(StandardCharsets.US_ASCII));
      assertThat(r.computedMd5()).isEqualTo("XUFAKrxLKna5cZ2REBfFkg==");
      assertThat(got.get(10, TimeUnit.SECONDS)).isGreaterThan(5);
    }
  }

  private MantaClient boundedClient(int port, RetryPolicy retries) {
    return MantaClient.create(
        MantaConfig.builder()
            .url("http://127.0.0.1:" + port)
            .user("alice")
            .signer(MantaSigner.of(EmulatorFixture.key("ed25519_openssh")))
            .retryPolicy(retries)
            .requestTimeout(Duration.ofSeconds(5))
            .operationTimeout(Duration.ofMillis(300))
            .build());
  }

  /** Writes {@code text} one byte per 20 ms: always some progress, never the whole answer. */
  private static void trickle(Socket s, String text) {
    try {
      OutputStream out = s.getOutputStream();
      for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
        out.write(b);
        out.flush();
        Thread.sleep(20);
      }
    } catch (java.io.IOException gone) {
      // the client gave up and closed: what is expected
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aBodyTrickledFasterThanTheRequestTimeoutStillEndsAtTheOperationTimeout() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c = boundedClient(server.getLocalPort(), RetryPolicy.none())) {
      serveOnce(
          server,
          (h, s) -> {
            write(s, "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n");
            trickle(s, "x".repeat(200));
          });
      MantaException e = catchManta(() -> c.blocking().getBytes("/alice/stor/slow"));
      assertThat(e.code()).isEqualTo(MantaException.TIMEOUT);
      assertThat(e.getMessage()).contains("operation took longer than PT0.3S");
      assertThat(e.retryable()).isFalse();
    }
  }

  @Test
  void aTrickledResponseHeadEndsAtTheOperationTimeout() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c = boundedClient(server.getLocalPort(), RetryPolicy.none())) {
      serveOnce(
          server, (h, s) -> trickle(s, "HTTP/1.1 204 No Content\r\n" + "x-a: b\r\n".repeat(30)));
      MantaException e = catchManta(() -> c.blocking().delete("/alice/stor/slow"));
      assertThat(e.code()).isEqualTo(MantaException.TIMEOUT);
      assertThat(e.getMessage()).contains("operation took longer than PT0.3S");
    }
  }

  @Test
  void retryBackoffDoesNotOutlastTheOperationTimeout() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MantaClient c =
            boundedClient(
                server.getLocalPort(),
                new RetryPolicy(4, Duration.ofSeconds(20), Duration.ofSeconds(20)))) {
      serveOnce(
          server,
          (h, s) ->
              write(
                  s,
                  "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
      MantaException e = catchManta(() -> c.blocking().delete("/alice/stor/busy"));
      assertThat(e.code()).isEqualTo(MantaException.TIMEOUT);
      assertThat(e.getMessage()).contains("operation took longer than PT0.3S");
    }
  }
}
