package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile and broken requests get clear JSON errors and never hurt the agent. */
class BadRequestsTest {
  @TempDir static Path state;

  static AgentHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = AgentHarness.start(state, TestVms.many(3));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/vms/..",
        "/vms/%2e%2e",
        "/vms/%2E%2e/ping",
        "/vms/../ping",
        "/../etc/passwd",
        "/vms/.",
        "/vms/a%2Fb",
        "/vms/%2F..%2Fetc",
        "/vms/a%5Cb",
        "/vms/%00",
        "/vms/a%0Ab",
        "//vms",
        "/vms//x",
        "/vms/%zz",
        "/vms/%e0%80",
        "/vms/%ff",
        "/vms?state=%ff"
      })
  void badPathsAre400(String target) throws Exception {
    RawHttp.Response r = h.get(target);
    assertThat(r.status()).as(target).isEqualTo(400);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.json().get("code").textValue()).isEqualTo("BadRequest");
    assertThat(r.json().get("message").textValue()).isNotBlank();
  }

  @Test
  void tooLongIdsAre400AndUnknownIdsAre404() throws Exception {
    assertThat(h.get("/vms/" + "a".repeat(300)).status()).isEqualTo(400);
    RawHttp.Response r = h.get("/vms/not-a-vm%20at%20all");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("message").textValue()).isEqualTo("VM Not Found: not-a-vm at all");
  }

  @Test
  void nonGetMethodsAre405WithAllow() throws Exception {
    for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
      try (RawHttp c = h.connect()) {
        c.send(method + " /vms HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}");
        RawHttp.Response r = method.equals("HEAD") ? c.readHead() : c.readResponse();
        assertThat(r.status()).as(method).isEqualTo(405);
        assertThat(r.header("allow")).isEqualTo("GET");
        if (!method.equals("HEAD")) {
          assertThat(r.json().get("code").textValue()).isEqualTo("MethodNotAllowed");
          // the connection stays usable
          c.get("/ping");
          assertThat(c.readResponse().status()).isEqualTo(200);
        }
      }
    }
  }

  @Test
  void largeOrChunkedBodiesAre413AndClose() throws Exception {
    try (RawHttp c = h.connect()) {
      c.send("POST /vms HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.json().get("code").textValue()).isEqualTo("PayloadTooLarge");
      assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
    try (RawHttp c = h.connect()) {
      c.send("GET /vms HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      assertThat(c.readResponse().status()).isEqualTo(413);
      assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void hugeHeadersAre431AndClose() throws Exception {
    try (RawHttp c = h.connect()) {
      c.send("GET /vms HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).isEqualTo(431);
      assertThat(r.json().get("code").textValue()).isEqualTo("RequestHeaderFieldsTooLarge");
      assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
    try (RawHttp c = h.connect()) {
      StringBuilder many = new StringBuilder("GET /vms HTTP/1.1\r\nHost: t\r\n");
      for (int i = 0; i < 2000; i++) {
        many.append("X-H").append(i).append(": ").append("v".repeat(30)).append("\r\n");
      }
      c.send(many.append("\r\n").toString());
      assertThat(c.readResponse().status()).isEqualTo(431);
    }
  }

  @Test
  void longUrisAre414AndClose() throws Exception {
    try (RawHttp c = h.connect()) {
      c.send("GET /vms/" + "x".repeat(10_000) + " HTTP/1.1\r\nHost: t\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).isEqualTo(414);
      assertThat(r.json().get("code").textValue()).isEqualTo("UriTooLong");
      assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void garbageIs400AndCloses() throws Exception {
    try (RawHttp c = h.connect()) {
      c.send(new byte[] {0, 1, 2, 3, (byte) 0xff, '\r', '\n', '\r', '\n'});
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).isEqualTo(400);
      assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
    try (RawHttp c = h.connect()) {
      c.send("GET http://evil.example/vms HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(c.readResponse().status()).isEqualTo(400);
    }
    try (RawHttp c = h.connect()) {
      c.send("GET /vms HTTP/1.1\r\nHost: t\r\nContent-Length: nope\r\n\r\n");
      assertThat(c.readResponse().status()).isEqualTo(400);
    }
  }

  @Test
  void theAgentIsFineAfterwards() throws Exception {
    badPathsAre400("/vms/..");
    hugeHeadersAre431AndClose();
    RawHttp.Response r = h.get("/vms");
    assertThat(r.status()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains(TestVms.uuid(1));
  }
}
