package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.FeedSubscriber;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * E2E 8: a corpus of hostile and broken input against the packaged agent. Host files: XXE and
 * "billion laughs" zone XML, truncated and oversized XML and JSON, bad JSON, symlinks (files and a
 * zone directory) leading out of the host root to readable secrets. Network: garbage, oversized
 * headers and URIs, traversal, bad encodings, unknown parameters, non-GET methods, bodies,
 * half-open and idle connections. The agent keeps serving throughout, reports every bad file in
 * {@code /status} {@code vmErrors} (keeping the last good state of VMs it already knew), answers
 * every bad request with a JSON error and the right status, never leaks a secret, and recovers when
 * the files are repaired.
 */
class HostileInputIT {
  static final String SECRET = "TOPSECRET-" + UUID.randomUUID();

  @TempDir Path dir;

  @Test
  void survivesAndReportsEveryBadFileAndRequest() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path secretFile = Files.writeString(outside.resolve("secret.txt"), SECRET);
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    ZoneSpec good = tree.create(ZoneSpec.of(uuid(), "good"));
    ZoneSpec badJson = tree.create(ZoneSpec.of(uuid(), "bad-json"));
    ZoneSpec hugeJson = tree.create(ZoneSpec.of(uuid(), "huge-json"));
    ZoneSpec symJson = tree.create(ZoneSpec.of(uuid(), "symlinked-json"));
    ZoneSpec truncated = tree.create(ZoneSpec.of(uuid(), "truncated-xml"));
    try (AgentProcess agent =
            E2e.smartosAgent(dir, tree)
                .set("http.request_timeout", "2s")
                .set("http.idle_timeout", "2s")
                .start();
        FeedSubscriber feed = FeedSubscriber.open(agent.uri(), "hostile", WAIT)) {
      E2e.awaitTruth(agent, tree);

      // ---- files of zones the agent knows: it reports them and keeps the last good state
      Map<String, String> expectErrors = new LinkedHashMap<>();
      tree.writeRaw(
          "zones/" + badJson.uuid() + "/config/metadata.json",
          "{\"customer_metadata\": {\"a\": ".getBytes(StandardCharsets.UTF_8));
      expectErrors.put(badJson.uuid(), "malformed JSON");
      byte[] huge = new byte[17 * 1024 * 1024];
      java.util.Arrays.fill(huge, (byte) ' ');
      huge[0] = '{';
      huge[huge.length - 1] = '}';
      tree.writeRaw("zones/" + hugeJson.uuid() + "/config/tags.json", huge);
      expectErrors.put(hugeJson.uuid(), "");
      Path outsideJson =
          Files.writeString(
              outside.resolve("metadata.json"),
              "{\"customer_metadata\":{\"leak\":\"" + SECRET + "\"}}");
      Path meta = tree.configDir(symJson.uuid()).resolve("metadata.json");
      Path tmpLink = meta.resolveSibling("metadata.json.new");
      Files.createSymbolicLink(tmpLink, outsideJson);
      Files.move(
          tmpLink,
          meta,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      expectErrors.put(symJson.uuid(), "");
      String xml = tree.zoneXml(truncated.withAlias("never-seen"));
      tree.writeRaw(
          "etc/zones/" + truncated.uuid() + ".xml",
          xml.substring(0, xml.length() / 2).getBytes(StandardCharsets.UTF_8));
      expectErrors.put(truncated.uuid(), "malformed XML");

      // ---- new zones whose files are hostile: no VM, an error each
      String xxe = uuid();
      tree.writeRaw(
          "etc/zones/" + xxe + ".xml",
          ("<?xml version=\"1.0\"?>\n"
                  + "<!DOCTYPE zone [<!ENTITY xxe SYSTEM \"file://"
                  + secretFile
                  + "\">]>\n"
                  + zoneBody(xxe, "&xxe;"))
              .getBytes(StandardCharsets.UTF_8));
      expectErrors.put(xxe, "");
      String laughs = uuid();
      StringBuilder lol =
          new StringBuilder(
              "<?xml version=\"1.0\"?>\n<!DOCTYPE zone [\n" + " <!ENTITY lol \"lol\">\n");
      for (int i = 1; i <= 9; i++) {
        lol.append(" <!ENTITY lol")
            .append(i)
            .append(" \"")
            .append(("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10))
            .append("\">\n");
      }
      lol.append("]>\n").append(zoneBody(laughs, "&lol9;"));
      tree.writeRaw(
          "etc/zones/" + laughs + ".xml", lol.toString().getBytes(StandardCharsets.UTF_8));
      expectErrors.put(laughs, "");
      String big = uuid();
      String bigXml =
          tree.zoneXml(ZoneSpec.of(big, "big"))
              .replace("</zone>", "<!-- " + "x".repeat(5 * 1024 * 1024) + " -->\n</zone>");
      tree.writeRaw("etc/zones/" + big + ".xml", bigXml.getBytes(StandardCharsets.UTF_8));
      expectErrors.put(big, "");
      String symXml = uuid();
      Path outsideXml =
          Files.writeString(
              outside.resolve(symXml + ".xml"), tree.zoneXml(ZoneSpec.of(symXml, SECRET)));
      Path link = tree.xmlFile(symXml).resolveSibling(symXml + ".xml.new");
      Files.createSymbolicLink(link, outsideXml);
      Files.move(link, tree.xmlFile(symXml), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      expectErrors.put(symXml, "");
      String symDir = uuid();
      Path outsideZone = Files.createDirectories(outside.resolve("zone/config"));
      Files.writeString(
          outsideZone.resolve("metadata.json"),
          "{\"customer_metadata\":{\"leak\":\"" + SECRET + "\"}}");
      Files.createSymbolicLink(tree.zoneDir(symDir), outsideZone.getParent());
      tree.writeRaw(
          "etc/zones/" + symDir + ".xml",
          tree.zoneXml(ZoneSpec.of(symDir, "symlinked-dir")).getBytes(StandardCharsets.UTF_8));
      expectErrors.put(symDir, "");

      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                JsonNode errors = agent.getJson("/status").path("vmErrors");
                for (Map.Entry<String, String> e : expectErrors.entrySet()) {
                  assertThat(errorsFor(errors, e.getKey()))
                      .as("error reported for %s in %s", e.getKey(), errors)
                      .anyMatch(m -> m.contains(e.getValue()));
                }
              });
      JsonNode errors = agent.getJson("/status").path("vmErrors");
      System.out.println("HostileInputIT: /status vmErrors:");
      errors.forEach(
          e ->
              System.out.println(
                  "  " + e.path("key").asText() + ": " + e.path("message").asText()));
      // known VMs keep their last good state; no hostile zone became a VM; nothing leaked
      assertThat(tree.differences(agent.getJson("/vms"))).isEmpty();
      String everything =
          agent.get("/vms").body()
              + agent.get("/status").body()
              + String.join("\n", agent.logLines().stream().map(Object::toString).toList());
      assertThat(everything).doesNotContain(SECRET).doesNotContain("lollollol");
      assertThat(agent.isAlive()).isTrue();

      // ---- the network
      List<String> http = badRequests(agent);
      System.out.println("HostileInputIT: bad requests: " + http);
      assertThat(agent.get("/ping").json().path("ping").asText()).isEqualTo("pong");
      String metrics = agent.get("/metrics").body();
      assertThat(metrics)
          .containsPattern("vminfo_http_requests_total\\{[^}]*status=\"400\"[^}]*\\} [1-9]");
      assertThat(metrics)
          .containsPattern("vminfo_http_requests_total\\{[^}]*status=\"405\"[^}]*\\} [1-9]");

      // ---- repair: every error clears, the VMs follow the files again
      tree.update(badJson.uuid(), s -> s.withCustomerMetadata("fixed", "1"));
      tree.update(hugeJson.uuid(), s -> s.withTags(Map.of("fixed", "1")));
      tree.update(symJson.uuid(), s -> s.withCustomerMetadata("fixed", "1"));
      tree.update(truncated.uuid(), s -> s.withAlias("repaired"));
      for (String z : List.of(xxe, laughs, big, symXml, symDir)) {
        Files.delete(tree.xmlFile(z));
      }
      Files.delete(tree.zoneDir(symDir));
      E2e.awaitTruth(agent, tree);
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(agent.getJson("/status").path("vmErrors")).isEmpty());
      E2e.assertFeedEqualsVms(feed, agent);
      assertThat(feed.violations()).isEmpty();
      assertThat(tree.zone(good.uuid())).isPresent();
      assertThat(
              agent.logLines(
                  l ->
                      l.json().isEmpty()
                          && l.stream() == io.vminfo.ittests.AgentLogLine.Stream.STDOUT))
          .as("non-JSON log lines")
          .isEmpty();
    }
  }

  /** Each bad request gets its JSON error (or is cut off); returns "status code" per request. */
  static List<String> badRequests(AgentProcess agent) throws Exception {
    Duration t = Duration.ofSeconds(10);
    var uri = agent.uri();
    List<String> seen = new ArrayList<>();
    record Case(String name, byte[] request, int status, String code) {}
    List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            "garbage",
            "HELLO THERE\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            400,
            "BadRequest"));
    byte[] binary = new byte[4096];
    new Random(7).nextBytes(binary);
    cases.add(new Case("binary", binary, 400, "BadRequest"));
    cases.add(
        new Case(
            "64 KiB header",
            ("GET /vms HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            431,
            "RequestHeaderFieldsTooLarge"));
    cases.add(
        new Case(
            "16 KiB URI",
            ("GET /vms/" + "a".repeat(16 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            414,
            "UriTooLong"));
    for (String target :
        List.of(
            "/vms/..%2f..%2fetc%2fpasswd",
            "/vms/%2e%2e",
            "/vms/%zz",
            "/vms/a%00b",
            "/vms/%c0%ae%c0%ae",
            "/vms?stat=running",
            "/events?since=abc",
            "/events?epoch=x")) {
      cases.add(new Case(target, get(target), 400, "BadRequest"));
    }
    cases.add(new Case("unknown id", get("/vms/" + UUID.randomUUID()), 404, "NotFound"));
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")) {
      cases.add(
          new Case(
              method,
              (method
                      + " /vms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                      + "Content-Length: 2\r\n\r\n{}")
                  .getBytes(StandardCharsets.US_ASCII),
              405,
              "MethodNotAllowed"));
    }
    cases.add(
        new Case(
            "huge body",
            ("GET /vms HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000"
                    + "\r\n\r\n"
                    + "x".repeat(1024))
                .getBytes(StandardCharsets.US_ASCII),
            413,
            "PayloadTooLarge"));
    cases.add(
        new Case(
            "bad chunked body",
            ("GET /vms HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:" + " chunked\r\n\r\nzz\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            413,
            "PayloadTooLarge"));
    for (Case c : cases) {
      RawHttp.Answer a = RawHttp.exchange(uri, c.request(), t);
      assertThat(a.status()).as("%s: %s", c.name(), a.body()).isEqualTo(c.status());
      if (!c.name().equals("HEAD")) { // a HEAD answer has no body
        assertThat(a.code()).as("%s", c.name()).isEqualTo(c.code());
      }
      if (c.status() == 405) {
        assertThat(a.headers()).containsEntry("allow", "GET");
      }
      seen.add(c.name() + "=" + a.status());
      assertThat(agent.get("/ping").status()).as("served after %s", c.name()).isEqualTo(200);
    }
    // half-open: a request that never ends is answered 408 or dropped after the request timeout
    RawHttp.Answer half = RawHttp.exchange(uri, "GET /vms HTTP/1.1\r\nHost: x\r\n", t);
    assertThat(half.status() == 408 || half.closedByServer())
        .as("half-open request answered 408 or closed: %s", half)
        .isTrue();
    if (half.status() == 408) {
      assertThat(half.code()).isEqualTo("RequestTimeout");
    }
    seen.add("half-open=" + half.status());
    // connections that send nothing do not stop anyone else
    List<java.net.Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        java.net.Socket s = new java.net.Socket(uri.getHost(), uri.getPort());
        idle.add(s);
      }
      assertThat(agent.getJson("/vms").size()).isPositive();
      // an HTTP/1.0 client with no Host header is still served
      RawHttp.Answer old = RawHttp.exchange(uri, "GET /ping HTTP/1.0\r\n\r\n", t);
      assertThat(old.status()).isEqualTo(200);
      seen.add("http/1.0=" + old.status());
    } finally {
      for (java.net.Socket s : idle) {
        s.close();
      }
    }
    return seen;
  }

  static byte[] get(String target) {
    return ("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static List<String> errorsFor(JsonNode errors, String zonename) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : errors) {
      if (e.path("zonename").asText().equals(zonename)
          || e.path("key").asText().startsWith(zonename)) {
        out.add(e.path("message").asText());
      }
    }
    return out;
  }

  static String zoneBody(String uuid, String hostnameValue) {
    return "<zone name=\""
        + uuid
        + "\" zonepath=\"/zones/"
        + uuid
        + "\" autoboot=\"true\""
        + " brand=\"joyent\">\n  <attr name=\"hostname\" type=\"string\" value=\""
        + hostnameValue
        + "\"/>\n</zone>\n";
  }

  static String uuid() {
    return UUID.randomUUID().toString();
  }
}
