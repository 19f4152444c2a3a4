package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.ittests.FeedSubscriber;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The subscriber's contract checks must be able to fail: a scripted feed server (real socket,
 * chunked HTTP) sends a gap, an unknown-VM modify and a resume; the subscriber reports each.
 */
class FeedSubscriberTest {
  static final Duration T = Duration.ofSeconds(10);

  @Test
  void rebuildsStateResumesWithSinceAndReportsGaps() throws Exception {
    BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> serve(server, requests), "fake-feed");
      t.setDaemon(true);
      t.start();
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
      FeedSubscriber s = FeedSubscriber.openRecording(uri, "t", "heartbeat=5", T);
      assertThat(requests.poll(10, TimeUnit.SECONDS))
          .startsWith("GET /events?heartbeat=5 HTTP/1.1");
      assertThat(s.awaitRev(8, T)).isTrue();
      assertThat(s.vms()).containsOnlyKeys("a", "b");
      assertThat(s.vms().get("a").path("v").asInt()).isEqualTo(2);
      assertThat(s.violations()).singleElement().asString().contains("rev 8 after rev 6");
      assertThat(s.awaitDisconnected(T)).isTrue();
      assertThat(s.endedCleanly()).isTrue();

      s.resume(T);
      assertThat(requests.poll(10, TimeUnit.SECONDS))
          .startsWith("GET /events?heartbeat=5&since=8&epoch=E1 HTTP/1.1");
      assertThat(s.awaitDisconnected(T)).isTrue();
      assertThat(s.rev()).isEqualTo(10);
      assertThat(s.vms()).containsOnlyKeys("a", "zz"); // b deleted; zz taken as it came
      assertThat(s.sessions()).isEqualTo(2);
      assertThat(s.resyncs()).isZero();
      assertThat(s.violations()).hasSize(2).last().asString().contains("modify of unknown VM zz");
      assertThat(s.lines()).hasSize(7);
    }
  }

  static void serve(ServerSocket server, BlockingQueue<String> requests) {
    List<List<String>> sessions =
        List.of(
            List.of(
                "{\"type\":\"ready\",\"date\":\"d\",\"uuid\":\"l\",\"vms\":\"[{\\\"uuid\\\":\\\"a\\\",\\\"v\\\":1}]\",\"rev\":5,\"epoch\":\"E1\"}",
                "{\"type\":\"create\",\"date\":\"d\",\"uuid\":\"b\",\"vm\":{\"uuid\":\"b\"},\"rev\":6}",
                "{\"type\":\"modify\",\"date\":\"d\",\"uuid\":\"a\",\"vm\":{\"uuid\":\"a\",\"v\":2},\"changes\":[{}],\"rev\":8}",
                "{\"type\":\"heartbeat\",\"date\":\"d\",\"rev\":8}"),
            List.of(
                "{\"type\":\"resumed\",\"date\":\"d\",\"uuid\":\"l2\",\"rev\":8,\"epoch\":\"E1\"}",
                "{\"type\":\"delete\",\"date\":\"d\",\"uuid\":\"b\",\"rev\":9}",
                "{\"type\":\"modify\",\"date\":\"d\",\"uuid\":\"zz\",\"vm\":{\"uuid\":\"zz\"},\"changes\":[{}],\"rev\":10}"));
    for (List<String> lines : sessions) {
      try (Socket c = server.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
        String request = in.readLine();
        while (!in.readLine().isEmpty()) {
          // headers
        }
        requests.add(request);
        OutputStream out = c.getOutputStream();
        out.write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        for (String l : lines) {
          byte[] b = (l + "\n").getBytes(StandardCharsets.UTF_8);
          // split each line over two chunks
          int half = b.length / 2;
          out.write((Integer.toHexString(half) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(b, 0, half);
          out.write(
              ("\r\n" + Integer.toHexString(b.length - half) + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(b, half, b.length - half);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (Exception e) {
        return;
      }
    }
  }
}
