package io.vminfo.manta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code getStream} on the socket transport: read on the caller's thread from the connection. */
class SocketStreamTest {
  private static final String HELLO_MD5 = "XUFAKrxLKna5cZ2REBfFkg==";

  private ServerSocket server;
  private MantaClient client;

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    client =
        MantaClient.create(
            EmulatorFixture.rawServerConfig(server)
                .blockingSockets(true) // the socket transport's stream (never via Netty)
                .requestTimeout(Duration.ofSeconds(5))
                .build());
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    server.close();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return "";
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static void write(Socket s, byte[] bytes) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(bytes);
    out.flush();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Serves {@code answers} one after the other on one connection; returns the heads read. */
  private CompletableFuture<Integer> serveOnOneConnection(String... answers) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = server.accept()) {
            s.setSoTimeout(10_000);
            int heads = 0;
            for (String a : answers) {
              if (readHead(s.getInputStream()).isEmpty()) {
                break;
              }
              heads++;
              write(s, ascii(a));
            }
            return heads;
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void aBodyReadToItsEndLeavesTheConnectionForTheNextRequest() throws Exception {
    String hello =
        "HTTP/1.1 200 OK\r\nContent-MD5: " + HELLO_MD5 + "\r\nContent-Length: 5\r\n\r\nhello";
    CompletableFuture<Integer> heads = serveOnOneConnection(hello, hello);
    try (MantaObjectStream in =
        client.blocking().getStream("/alice/stor/h", GetOptions.defaults())) {
      assertThat(in.info().size()).isEqualTo(5);
      assertThat(in.readAllBytes()).isEqualTo(ascii("hello"));
    }
    assertThat(client.blocking().getBytes("/alice/stor/h")).isEqualTo(ascii("hello"));
    assertThat(heads.get(10, TimeUnit.SECONDS)).as("requests on the first connection").isEqualTo(2);
  }

  @Test
  void aChunkedBodyIsUnframed() throws Exception {
    serveOnOneConnection(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\nT: v\r\n\r\n");
    try (MantaObjectStream in =
        client.blocking().getStream("/alice/stor/h", GetOptions.defaults())) {
      byte[] first = new byte[2];
      assertThat(in.read(first)).isEqualTo(2);
      assertThat(
              new String(first, StandardCharsets.US_ASCII)
                  + new String(in.readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("hello");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aBodyWhoseMd5DiffersFailsAtItsEnd() throws Exception {
    serveOnOneConnection(
        "HTTP/1.1 200 OK\r\nContent-MD5: " + HELLO_MD5 + "\r\nContent-Length: 5\r\n\r\nhellO");
    try (MantaObjectStream in =
        client.blocking().getStream("/alice/stor/h", GetOptions.defaults())) {
      Throwable e = catchThrowable(in::readAllBytes);
      assertThat(e).isInstanceOf(IOException.class).hasCauseInstanceOf(MantaException.class);
      assertThat(((MantaException) e.getCause()).code()).isEqualTo(MantaException.MD5_MISMATCH);
    }
  }

  /**
   * Serves one large body and reports whether the client closed the connection before taking all of
   * it (true) or read on after it (false).
   */
  private CompletableFuture<Boolean> serveLargeBodyUntilClosed() {
    int size = 4 * 1024 * 1024;
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = server.accept()) {
            s.setSoTimeout(10_000);
            readHead(s.getInputStream());
            try {
              write(s, ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n"));
              write(s, new byte[size]); // blocks until the client reads or closes
            } catch (SocketException gone) {
              return true;
            }
            return s.getInputStream().read() < 0; // then the client must close, not reuse
          } catch (IOException e) {
            return e instanceof SocketException;
          }
        });
  }

  @Test
  void closingBeforeTheEndClosesTheConnection() throws Exception {
    CompletableFuture<Boolean> closed = serveLargeBodyUntilClosed();
    try (MantaObjectStream in =
        client.blocking().getStream("/alice/stor/big", GetOptions.defaults())) {
      assertThat(in.read(new byte[10])).isEqualTo(10);
    }
    assertThat(closed.get(10, TimeUnit.SECONDS)).as("the server saw the connection close").isTrue();
    // The next request needs, and gets, a new connection.
    CompletableFuture<Integer> next =
        serveOnOneConnection(
            "HTTP/1.1 200 OK\r\nContent-MD5: " + HELLO_MD5 + "\r\nContent-Length: 5\r\n\r\nhello");
    assertThat(client.blocking().getBytes("/alice/stor/h")).isEqualTo(ascii("hello"));
    assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void aStreamDroppedWithoutClosingGivesItsConnectionBackOnceCollected() throws Exception {
    try (MantaClient one =
        MantaClient.create(
            EmulatorFixture.rawServerConfig(server)
                .blockingSockets(true)
                .maxConnections(1) // a leaked slot would block the next request
                .requestTimeout(Duration.ofSeconds(5))
                .build())) {
      CompletableFuture<Boolean> closed = serveLargeBodyUntilClosed();
      readTenBytesAndDrop(one);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!closed.isDone() && System.nanoTime() < until) {
        System.gc(); // the stream is unreachable: its cleaner runs once it is collected
        try {
          closed.get(100, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException notYet) {
          // collect again
        }
      }
      assertThat(closed.getNow(false)).as("the server saw the connection close").isTrue();
      CompletableFuture<Integer> next =
          serveOnOneConnection(
              "HTTP/1.1 200 OK\r\nContent-MD5: "
                  + HELLO_MD5
                  + "\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(one.blocking().getBytes("/alice/stor/h")).isEqualTo(ascii("hello"));
      assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  /** Opens a stream and reads from it, leaving it unclosed and unreachable on return. */
  @SuppressWarnings("MustBeClosedChecker") // the leak is what the test is about
  private static void readTenBytesAndDrop(MantaClient c) throws IOException {
    MantaObjectStream leaked = c.blocking().getStream("/alice/stor/big", GetOptions.defaults());
    assertThat(leaked.read(new byte[10])).isEqualTo(10);
  }

  @Test
  void aBodyCutShortIsAClosedConnection() throws Exception {
    serveOnOneConnection("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    try (MantaObjectStream in =
        client.blocking().getStream("/alice/stor/h", GetOptions.defaults())) {
      Throwable e = catchThrowable(in::readAllBytes);
      assertThat(e).isInstanceOf(IOException.class).hasCauseInstanceOf(MantaException.class);
      assertThat(((MantaException) e.getCause()).code())
          .isEqualTo(MantaException.CONNECTION_CLOSED);
      assertThat(catchThrowable(in::read)).as("and stays failed").isSameAs(e);
    }
  }
}
