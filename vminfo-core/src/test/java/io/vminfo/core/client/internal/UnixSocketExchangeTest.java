package io.vminfo.core.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketExchangeTest {
  static final Path SOCKET = Path.of("agent.sock");

  @TempDir Path dir;
  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  static UnixSocketExchange.Response parse(String raw) throws IOException {
    return UnixSocketExchange.parse(raw.getBytes(StandardCharsets.UTF_8), SOCKET);
  }

  @Test
  void bodiesByLengthChunkedOrToTheEndAndCutOnesSaySo() throws Exception {
    assertThat(
            new String(
                parse("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}").body(),
                StandardCharsets.UTF_8))
        .isEqualTo("{}");
    assertThat(parse("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}").status())
        .isEqualTo(202);
    assertThat(
            new String(
                parse(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "3\r\n[1,\r\n2;x=y\r\n2]\r\n0\r\n\r\n")
                    .body(),
                StandardCharsets.UTF_8))
        .isEqualTo("[1,2]");
    assertThat(new String(parse("HTTP/1.1 200 OK\r\n\r\nall of it").body(), StandardCharsets.UTF_8))
        .isEqualTo("all of it");
    assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}"))
        .hasMessageContaining("cut after 2 of 9 bytes");
    assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"))
        .hasMessageContaining("was cut");
    assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).hasMessageContaining("not an HTTP");
    assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\n")).hasMessageContaining("no complete");
  }

  @Test
  void aRealExchangeAndASilentPeerThatTimesOut() throws Exception {
    Path path = dir.resolve("a.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
      Future<String> seen =
          pool.submit(
              () -> {
                try (SocketChannel c = server.accept()) {
                  ByteBuffer in = ByteBuffer.allocate(4096);
                  c.read(in);
                  c.write(
                      ByteBuffer.wrap(
                          "HTTP/1.1 202 Accepted\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
                              .getBytes(StandardCharsets.US_ASCII)));
                  return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                }
              });
      UnixSocketExchange.Response r =
          UnixSocketExchange.exchange(
              path,
              "POST",
              "/vms/x/start",
              Map.of("X-Request-Id", "1"),
              Duration.ofSeconds(10),
              1 << 20,
              pool);
      assertThat(r.status()).isEqualTo(202);
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
      assertThat(seen.get())
          .startsWith("POST /vms/x/start HTTP/1.1\r\n")
          .contains("Connection: close\r\n")
          .contains("X-Request-Id: 1\r\n");

      Future<?> silent =
          pool.submit(
              () -> {
                SocketChannel c = server.accept(); // accepts, never answers
                return c;
              });
      assertThatThrownBy(
              () ->
                  UnixSocketExchange.exchange(
                      path, "GET", "/ping", Map.of(), Duration.ofMillis(200), 1 << 20, pool))
          .hasMessageContaining("no answer on");
      silent.cancel(true);
    }
    assertThatThrownBy(
            () ->
                UnixSocketExchange.exchange(
                    dir.resolve("none.sock"),
                    "GET",
                    "/",
                    Map.of(),
                    Duration.ofSeconds(1),
                    1024,
                    pool))
        .hasMessageContaining("cannot connect");
  }
}
