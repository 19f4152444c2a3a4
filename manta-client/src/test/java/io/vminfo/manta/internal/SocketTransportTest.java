package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socket transport against a scripted server: framings the emulator does not produce. */
class SocketTransportTest {
  private ServerSocket server;
  private final ExecutorService serverThread = Executors.newSingleThreadExecutor();
  private SocketTransport transport;

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0);
    transport =
        new SocketTransport(
            MantaConfig.builder()
                .url("http://127.0.0.1:" + server.getLocalPort())
                .user("alice")
                .anonymous(true)
                .requestTimeout(Duration.ofSeconds(10))
                .build());
  }

  @AfterEach
  void stop() throws IOException {
    transport.close();
    server.close();
    serverThread.shutdownNow();
  }

  /** Serves one connection: reads one request head, writes {@code answer}, returns the head. */
  private Future<String> serveOnce(String answer, boolean closeAfter) {
    return serverThread.submit(
        () -> {
          try (Socket s = server.accept()) {
            String head = readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (!closeAfter) {
              s.getInputStream().read(); // hold the connection until the client closes it
            }
            return head;
          }
        });
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      String s = b.toString(StandardCharsets.ISO_8859_1);
      if (s.endsWith("\r\n\r\n")) {
        return s;
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private HttpExchange.Response<Object> get(ResponseSink<?> sink) throws Exception {
    RequestSpec spec =
        new RequestSpec(HttpMethod.GET, "/alice/stor/x", Map.of("host", "h"), null, false);
    CompletableFuture<HttpExchange.Response<Object>> f =
        transport.exchange(spec, sink, new AtomicBoolean());
    return f.get(10, TimeUnit.SECONDS);
  }

  private MantaException failure() throws Exception {
    try {
      get(Sinks.buffer(1024));
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(MantaException.class);
      return (MantaException) e.getCause();
    }
    throw new AssertionError("the exchange succeeded");
  }

  @Test
  void readsAChunkedBodyWithExtensionsAndTrailers() throws Exception {
    Future<String> head =
        serveOnce(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-trailer: t\r\n\r\n",
            true);
    HttpExchange.Response<Object> r = get(Sinks.buffer(1024));
    assertThat(new String((byte[]) r.body(), StandardCharsets.UTF_8)).isEqualTo("hello world");
    assertThat(head.get(10, TimeUnit.SECONDS)).startsWith("GET /alice/stor/x HTTP/1.1\r\n");
  }

  @Test
  void aBodyWithoutLengthEndsWhenTheServerCloses() throws Exception {
    serveOnce("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nall of it", true);
    HttpExchange.Response<Object> r = get(Sinks.buffer(1024));
    assertThat(new String((byte[]) r.body(), StandardCharsets.UTF_8)).isEqualTo("all of it");
  }

  @Test
  void aTruncatedChunkedBodyIsAClosedConnection() throws Exception {
    serveOnce("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\nshort", true);
    MantaException e = failure();
    assertThat(e.code()).isEqualTo(MantaException.CONNECTION_CLOSED);
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void aMalformedStatusLineIsABadResponse() throws Exception {
    serveOnce("HTTX/1.1 200 OK\r\n\r\n", true);
    assertThat(failure().code()).isEqualTo(MantaException.BAD_RESPONSE);
  }

  @Test
  void anErrorBodyIsKeptForTheErrorMapping() throws Exception {
    String body = "{\"code\":\"ResourceNotFound\",\"message\":\"gone\"}";
    serveOnce(
        "HTTP/1.1 404 Not Found\r\ncontent-length: " + body.length() + "\r\n\r\n" + body, false);
    HttpExchange.Response<Object> r = get(Sinks.buffer(1024));
    assertThat(r.status()).isEqualTo(404);
    assertThat(ResponseErrors.of(r.status(), java.util.Optional.empty(), r.errorBody()).code())
        .isEqualTo("ResourceNotFound");
  }

  @Test
  void aChunkedUploadIsFramedAndHashed() throws Exception {
    Future<String> seen =
        serverThread.submit(
            () -> {
              try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                String head = readHead(in);
                String chunks = readHead(in); // "3\r\nabc\r\n0\r\n\r\n" ends in a blank line
                s.getOutputStream()
                    .write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                return head + chunks;
              }
            });
    BodySource body =
        BodySource.stream(
            new java.io.ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8)), -1);
    RequestSpec spec =
        new RequestSpec(HttpMethod.PUT, "/alice/stor/x", Map.of("host", "h"), body, false);
    HttpExchange.Response<Object> r =
        transport.exchange(spec, Sinks.discard(), new AtomicBoolean()).get(10, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.bytesSent()).isEqualTo(3);
    // MD5("abc")
    assertThat(r.sentMd5()).contains("kAFQmDzST7DWlj99KOF/cg==");
    String sent = seen.get(10, TimeUnit.SECONDS);
    assertThat(sent).contains("transfer-encoding: chunked\r\n").endsWith("3\r\nabc\r\n0\r\n\r\n");
  }
}
