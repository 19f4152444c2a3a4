package io.vminfo.manta.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.manta.emulator.internal.RegisteredKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour Joyent's test suites check: metadata-only PUT, role tags, directory HEAD, pre-signed
 * URLs.
 */
class MuskieFidelityTest {
  private static final String DIR = "content-type: application/json; type=directory\r\n";

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
            .role("alice", "ops")
            .start();
    http = new RawHttp(emu.port(), key);
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
    emu.close();
  }

  @Test
  void chunkedMetadataPutWithAnEmptyBodyIsAccepted() throws Exception {
    http.request("PUT", "/alice/stor/c", "m-a: 1\r\n", "kept".getBytes(StandardCharsets.UTF_8));
    http.head(
        "PUT",
        "/alice/stor/c?metadata=true",
        "transfer-encoding: chunked\r\nm-foo: bar\r\n",
        http.auth(java.time.Instant.now(), "ed25519-sha512"));
    http.body("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(http.read(false).status()).isEqualTo(204);
    RawHttp.Response get = http.request("GET", "/alice/stor/c", "", new byte[0]);
    assertThat(get.body()).isEqualTo("kept");
    assertThat(get.header("m-foo")).isEqualTo("bar");
    assertThat(get.header("m-a")).isNull();
  }

  @Test
  void metadataPutKeepsContentAndEtag() throws Exception {
    RawHttp.Response put =
        http.request(
            "PUT",
            "/alice/stor/o",
            "content-type: text/plain\r\nm-a: 1\r\n",
            "payload".getBytes(StandardCharsets.UTF_8));
    String etag = put.header("etag");

    RawHttp.Response meta =
        http.request("PUT", "/alice/stor/o?metadata=true", "m-b: 2\r\n", new byte[0]);
    assertThat(meta.status()).isEqualTo(204);
    assertThat(meta.header("etag")).isEqualTo(etag);

    RawHttp.Response get = http.request("GET", "/alice/stor/o", "", new byte[0]);
    assertThat(get.body()).isEqualTo("payload");
    assertThat(get.header("etag")).isEqualTo(etag);
    assertThat(get.header("content-type")).isEqualTo("text/plain");
    assertThat(get.header("m-b")).isEqualTo("2");
    assertThat(get.header("m-a")).as("the update replaces the metadata, as muskie does").isNull();

    http.request(
        "PUT", "/alice/stor/o?metadata=true", "content-type: application/json\r\n", new byte[0]);
    RawHttp.Response head = http.request("HEAD", "/alice/stor/o", "", new byte[0]);
    assertThat(head.header("content-type")).isEqualTo("application/json");
    assertThat(head.header("content-length")).isEqualTo("7");
    assertThat(emu.fileOf("/alice/stor/o")).isPresent();
  }

  @Test
  void metadataPutOnDirectoriesAndItsRefusals() throws Exception {
    http.request("PUT", "/alice/stor/d", DIR, new byte[0]);
    http.request("PUT", "/alice/stor/d/child", "", new byte[] {1});
    assertThat(
            http.request("PUT", "/alice/stor/d?metadata=true", "m-owner: ops\r\n", new byte[0])
                .status())
        .isEqualTo(204);
    RawHttp.Response head = http.request("HEAD", "/alice/stor/d", "", new byte[0]);
    assertThat(head.header("m-owner")).isEqualTo("ops");
    assertThat(head.header("content-type")).isEqualTo("application/x-json-stream; type=directory");
    assertThat(http.request("GET", "/alice/stor/d", "", new byte[0]).body())
        .contains("\"name\":\"child\"");

    RawHttp.Response missing =
        http.request("PUT", "/alice/stor/nope?metadata=true", "m-x: 1\r\n", new byte[0]);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).contains("ResourceNotFound");
    RawHttp.Response sized =
        http.request("PUT", "/alice/stor/d/child?metadata=true", "", new byte[] {9, 9});
    assertThat(sized.status()).isEqualTo(400);
    assertThat(sized.body()).contains("\"code\":\"InvalidUpdate\"").contains("content-length");
    RawHttp.Response dl =
        http.request(
            "PUT", "/alice/stor/d/child?metadata=true", "durability-level: 3\r\n", new byte[0]);
    assertThat(dl.body()).contains("InvalidUpdate").contains("durability-level");
    assertThat(http.request("GET", "/alice/stor/d/child", "", new byte[0]).header("content-length"))
        .isEqualTo("1");
  }

  @Test
  void metadataSurvivesARestart() throws Exception {
    http.request("PUT", "/alice/stor/o", "", "x".getBytes(StandardCharsets.UTF_8));
    http.request("PUT", "/alice/stor/o?metadata=true", "m-kept: yes\r\n", new byte[0]);
    http.close();
    emu.close();
    emu = MantaEmulator.builder().root(root).key("alice", key.getPublic()).start();
    http = new RawHttp(emu.port(), key);
    RawHttp.Response get = http.request("GET", "/alice/stor/o", "", new byte[0]);
    assertThat(get.body()).isEqualTo("x");
    assertThat(get.header("m-kept")).isEqualTo("yes");
  }

  @Test
  void aSnaplinkTakesTheRoleTagOfItsRequest() throws Exception {
    http.request("PUT", "/alice/stor/src", "m-a: 1\r\n", new byte[] {7});
    assertThat(
            http.request(
                    "PUT",
                    "/alice/stor/lnk",
                    "location: /alice/stor/src\r\nrole-tag: ops\r\n",
                    new byte[0])
                .status())
        .isEqualTo(204);
    RawHttp.Response link = http.request("HEAD", "/alice/stor/lnk", "", new byte[0]);
    assertThat(link.header("role-tag")).isEqualTo("ops");
    assertThat(http.request("HEAD", "/alice/stor/src", "", new byte[0]).header("role-tag"))
        .isNull();
    assertThat(
            http.request(
                    "PUT",
                    "/alice/stor/lnk2",
                    "location: /alice/stor/src\r\nrole-tag: nobody\r\n",
                    new byte[0])
                .status())
        .isEqualTo(409);
  }

  @Test
  void roleTagsAreStoredAndUnknownRolesRefused() throws Exception {
    assertThat(http.request("PUT", "/alice/stor/r", "role-tag: ops\r\n", new byte[] {1}).status())
        .isEqualTo(204);
    assertThat(http.request("HEAD", "/alice/stor/r", "", new byte[0]).header("role-tag"))
        .isEqualTo("ops");
    assertThat(
            http.request("PUT", "/alice/stor/rd", DIR + "role-tag: ops\r\n", new byte[0]).status())
        .isEqualTo(204);
    assertThat(http.request("HEAD", "/alice/stor/rd", "", new byte[0]).header("role-tag"))
        .isEqualTo("ops");

    RawHttp.Response bad =
        http.request("PUT", "/alice/stor/r2", "role-tag: ops, devs\r\n", new byte[] {1});
    assertThat(bad.status()).isEqualTo(409);
    assertThat(bad.body())
        .isEqualTo(
            "{\"code\":\"InvalidRoleTag\",\"message\":\"Role tag \\\"devs\\\" is invalid.\"}");
    assertThat(http.request("HEAD", "/alice/stor/r2", "", new byte[0]).status()).isEqualTo(404);
    assertThat(
            http.request("PUT", "/alice/stor/r?metadata=true", "role-tag: devs\r\n", new byte[0])
                .status())
        .isEqualTo(409);
    assertThat(http.request("HEAD", "/alice/stor/r", "", new byte[0]).header("role-tag"))
        .isEqualTo("ops");
  }

  @Test
  void directoryHeadHasNoContentLength() throws Exception {
    http.request("PUT", "/alice/stor/d", DIR, new byte[0]);
    RawHttp.Response head = http.request("HEAD", "/alice/stor/d", "", new byte[0]);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.headers()).doesNotContainKey("content-length");
    assertThat(http.request("HEAD", "/alice", "", new byte[0]).headers())
        .doesNotContainKey("content-length");
    // the connection is still in step: the next answer is this one's, not a stray body
    assertThat(http.request("GET", "/alice/stor/d", "", new byte[0]).status()).isEqualTo(200);
  }

  @Test
  void multipartUploadIsAnsweredAsByAMuskieWithoutIt() throws Exception {
    RawHttp.Response r =
        http.request(
            "POST",
            "/alice/uploads",
            "content-type: application/json\r\n",
            "{\"objectPath\":\"/alice/stor/x\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).contains("\"code\":\"ResourceNotFound\"");
  }

  @Test
  void presignedUrlsAreVerified() throws Exception {
    http.request("PUT", "/alice/stor/signed", "", "secret".getBytes(StandardCharsets.UTF_8));
    long expires = Instant.now().getEpochSecond() + 60;

    RawHttp.Response ok = anonymous("GET", signedUrl("GET", "/alice/stor/signed", expires, "GET"));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("secret");

    RawHttp.Response expired =
        anonymous(
            "GET",
            signedUrl("GET", "/alice/stor/signed", Instant.now().getEpochSecond() - 1, "GET"));
    assertThat(expired.status()).isEqualTo(403);
    assertThat(expired.body())
        .contains("InvalidQueryStringAuthentication")
        .contains("request expired");

    String url = signedUrl("GET", "/alice/stor/signed", expires, "GET");
    RawHttp.Response tampered =
        anonymous("GET", url.replace("expires=" + expires, "expires=" + (expires + 1)));
    assertThat(tampered.body()).contains("InvalidSignature");
    RawHttp.Response otherPath = anonymous("GET", url.replace("/signed?", "/other?"));
    assertThat(otherPath.body()).contains("InvalidSignature");
    // without a method parameter the request's own method is the signed one
    assertThat(anonymous("DELETE", url).body()).contains("InvalidSignature");
    RawHttp.Response wrongMethod = anonymous("DELETE", url + "&method=GET");
    assertThat(wrongMethod.body()).contains("DELETE was not a signed method");
    RawHttp.Response missing = anonymous("GET", "/alice/stor/signed?expires=" + expires);
    assertThat(missing.body())
        .contains("parameters \\\"algorithm, keyId, signature\\\" are required");
    RawHttp.Response badKey =
        anonymous("GET", url.replace("%2Falice%2Fkeys%2F", "%2Falice%2Fkeys%2Fx"));
    assertThat(badKey.body()).contains("KeyDoesNotExist");
    assertThat(http.request("GET", "/alice/stor/signed", "", new byte[0]).status()).isEqualTo(200);
  }

  private RawHttp.Response anonymous(String method, String pathAndQuery) throws Exception {
    http.head(method, pathAndQuery, "", null);
    return http.read(method.equals("HEAD"));
  }

  /** Signs as node-manta's msign does; RawHttp sends {@code host: x}. */
  private String signedUrl(String methods, String path, long expires, String method)
      throws Exception {
    String keyId = "/alice/keys/" + RegisteredKey.of(key.getPublic()).md5Fingerprint();
    String query = "algorithm=ED25519-SHA512&expires=" + expires + "&keyId=" + enc(keyId);
    String text = methods + "\nx\n" + path + "\n" + query;
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(key.getPrivate());
    s.update(text.getBytes(StandardCharsets.UTF_8));
    return path + "?" + query + "&signature=" + enc(Base64.getEncoder().encodeToString(s.sign()));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
