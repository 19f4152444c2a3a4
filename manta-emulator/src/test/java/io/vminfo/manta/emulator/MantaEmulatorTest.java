package io.vminfo.manta.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator on the wire, with a raw socket client: what any Manta client would see. */
class MantaEmulatorTest {
  @TempDir Path root;
  KeyPair key;
  MantaEmulator emu;
  RawHttp http;

  @BeforeEach
  void start() throws Exception {
    key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    emu =
        MantaEmulator.builder()
            .root(root)
            .key("alice", key.getPublic())
            .serverName("emu-1")
            .start();
    http = new RawHttp(emu.port(), key);
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
    emu.close();
  }

  @Test
  void refusesBeforeContinueAndKeepsTheConnection() throws Exception {
    http.head(
        "PUT",
        "/alice/stor/missing/obj",
        "content-length: 1000000\r\nexpect: 100-continue\r\n",
        http.auth(Instant.now(), "ed25519-sha512"));
    RawHttp.Response r = http.read(false);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body())
        .isEqualTo(
            "{\"code\":\"DirectoryDoesNotExist\",\"message\":\"/alice/stor/missing does not exist\"}");
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.header("x-request-id")).hasSize(36);
    assertThat(r.header("x-response-time")).containsOnlyDigits();
    assertThat(r.header("x-server-name")).isEqualTo("emu-1");
    assertThat(r.header("server")).isEqualTo("Manta");
    // the same connection serves the next request: the body was never expected
    RawHttp.Response dir =
        http.request(
            "PUT",
            "/alice/stor/missing",
            "content-type: application/json; type=directory\r\n",
            new byte[0]);
    assertThat(dir.status()).isEqualTo(204);
  }

  @Test
  void continuesThenStoresAndReportsTheMd5() throws Exception {
    byte[] body = "hello emulator".getBytes(StandardCharsets.UTF_8);
    String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
    http.head(
        "PUT",
        "/alice/stor/obj",
        "content-length: "
            + body.length
            + "\r\nexpect: 100-continue\r\n"
            + "content-md5: "
            + md5
            + "\r\nm-color: blue\r\n",
        http.auth(Instant.now(), "ed25519-sha512"));
    assertThat(http.read(false).status()).isEqualTo(100);
    http.body(body);
    RawHttp.Response r = http.read(false);
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.header("computed-md5")).isEqualTo(md5);
    assertThat(r.header("etag")).isNotBlank();
    assertThat(r.header("last-modified")).endsWith("GMT");

    RawHttp.Response get = http.request("GET", "/alice/stor/obj", "", new byte[0]);
    assertThat(get.body()).isEqualTo("hello emulator");
    assertThat(get.header("content-md5")).isEqualTo(md5);
    assertThat(get.header("m-color")).isEqualTo("blue");
    assertThat(get.header("durability-level")).isEqualTo("2");

    RawHttp.Response bad =
        http.request(
            "PUT",
            "/alice/stor/obj2",
            "content-md5: " + md5 + "\r\n",
            "other bytes".getBytes(StandardCharsets.UTF_8));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("\"code\":\"ContentMD5Mismatch\"");
    assertThat(http.request("HEAD", "/alice/stor/obj2", "", new byte[0]).status()).isEqualTo(404);
    assertThat(emu.fileOf("/alice/stor/obj2")).isEmpty();
  }

  @Test
  void listingLimitsMarkersAndRootRules() throws Exception {
    String dirType = "content-type: application/json; type=directory\r\n";
    assertThat(http.request("PUT", "/alice/stor/d", dirType, new byte[0]).header("last-modified"))
        .isNull();
    for (String n : new String[] {"c", "a", "b"}) {
      http.request("PUT", "/alice/stor/d/" + n, "", n.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(http.request("PUT", "/alice/stor/d", dirType, new byte[0]).header("last-modified"))
        .endsWith("GMT");

    RawHttp.Response page = http.request("GET", "/alice/stor/d?limit=2&marker=b", "", new byte[0]);
    assertThat(page.header("result-set-size")).isEqualTo("3");
    assertThat(page.header("content-type")).isEqualTo("application/x-json-stream; type=directory");
    assertThat(page.body().split("\n")).hasSize(2);
    assertThat(page.body())
        .startsWith("{\"name\":\"b\",\"etag\":")
        .contains("\"type\":\"object\"")
        .contains("\"contentMD5\":")
        .contains("\"durability\":2");
    for (String limit : new String[] {"0", "1025", "x"}) {
      RawHttp.Response r = http.request("GET", "/alice/stor/d?limit=" + limit, "", new byte[0]);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("InvalidArgumentError");
    }
    assertThat(http.request("DELETE", "/alice/stor/d", "", new byte[0]).body())
        .contains("DirectoryNotEmpty");
    assertThat(http.request("DELETE", "/alice/stor", "", new byte[0]).body())
        .contains("OperationNotAllowedOnRootDirectory");
    assertThat(
            http.request(
                    "PUT",
                    "/alice/stor",
                    "content-type: application/octet-stream\r\n",
                    new byte[] {1})
                .body())
        .contains("OperationNotAllowedOnRootDirectory");
    assertThat(http.request("PUT", "/alice/stor/d/a/x", "", new byte[] {1}).body())
        .contains("ParentNotDirectory");
    assertThat(http.request("PUT", "/alice/stor/d", "", new byte[] {1}).body())
        .contains("OperationNotAllowedOnDirectory");
    assertThat(http.request("GET", "/alice", "", new byte[0]).body())
        .contains("\"name\":\"public\"")
        .contains("\"name\":\"stor\"");
    assertThat(http.request("GET", "/alice/stor/../x", "", new byte[0]).body())
        .contains("InvalidResource");
    assertThat(http.request("GET", "/alice/stor/%zz", "", new byte[0]).status()).isEqualTo(400);
  }

  @Test
  void authenticationLikeMuskie() throws Exception {
    http.head("GET", "/alice/stor", "", null);
    assertThat(http.read(false).body()).contains("AuthorizationFailed");
    http.head(
        "GET",
        "/alice/stor",
        "",
        http.auth(Instant.now().minus(Duration.ofMinutes(6)), "ed25519-sha512"));
    assertThat(http.read(false).body()).contains("RequestExpired");
    http.head(
        "GET",
        "/alice/stor",
        "",
        http.auth(Instant.now().plus(Duration.ofMinutes(4)), "ed25519-sha512"));
    assertThat(http.read(false).status()).isEqualTo(200);
    http.head(
        "GET",
        "/alice/stor",
        "",
        http.auth(Instant.now(), "ed25519-sha512").replace("signature=\"", "signature=\"AA"));
    assertThat(http.read(false).body()).contains("InvalidSignature");
    http.head("GET", "/bob/stor", "", http.auth(Instant.now(), "ed25519-sha512"));
    assertThat(http.read(false).body()).contains("AccountDoesNotExist");

    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = g.generateKeyPair();
    try (MantaEmulator e2 =
            MantaEmulator.builder()
                .root(root.resolve("e2"))
                .key("alice", p384.getPublic())
                .start();
        RawHttp h2 = new RawHttp(e2.port(), p384)) {
      h2.head("GET", "/alice/stor", "", h2.auth(Instant.now(), "ecdsa-sha384"));
      RawHttp.Response r = h2.read(false);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).contains("InvalidAlgorithm");
    }
  }

  @Test
  void keepsObjectsAcrossRestarts() throws Exception {
    http.request(
        "PUT",
        "/alice/stor/keep",
        "content-type: text/plain\r\n",
        "kept".getBytes(StandardCharsets.UTF_8));
    http.close();
    emu.close();
    emu = MantaEmulator.builder().root(root).key("alice", key.getPublic()).start();
    http = new RawHttp(emu.port(), key);
    RawHttp.Response r = http.request("GET", "/alice/stor/keep", "", new byte[0]);
    assertThat(r.body()).isEqualTo("kept");
    assertThat(r.header("content-type")).isEqualTo("text/plain");
  }
}
