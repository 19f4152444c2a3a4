package io.vminfo.manta;

import static io.vminfo.manta.MantaClientTest.catchManta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata updates, role tags, named HEAD errors and pre-signed URLs against the emulator. */
class MantaMetadataTest {
  @TempDir Path tmp;
  EmulatorFixture fx;
  BlockingMantaClient manta;

  @BeforeEach
  void start() throws Exception {
    fx = new EmulatorFixture(Files.createDirectories(tmp.resolve("manta")));
    manta = fx.manta();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void putMetadataKeepsContentAndEtag() {
    MantaPutResult put =
        manta.put(
            "/alice/stor/o",
            MantaBody.ofBytes("body".getBytes(StandardCharsets.UTF_8)),
            PutOptions.defaults().withMetadata(Map.of("m-a", "1")));
    manta.putMetadata(
        "/alice/stor/o", Map.of("m-b", "2", "content-type", "text/plain", "role-tag", "ops"));
    MantaObjectInfo info = manta.head("/alice/stor/o");
    assertThat(info.etag()).hasValue(put.etag());
    assertThat(info.metadata()).containsExactly(Map.entry("m-b", "2"));
    assertThat(info.contentType()).isEqualTo("text/plain");
    assertThat(new String(manta.getBytes("/alice/stor/o"), StandardCharsets.UTF_8))
        .isEqualTo("body");

    manta.mkdirp("/alice/stor/d");
    manta.putMetadata("/alice/stor/d", Map.of("m-owner", "ops"));
    assertThat(manta.head("/alice/stor/d").metadata()).containsEntry("m-owner", "ops");
  }

  @Test
  void badMetadataIsRefusedBeforeSending() {
    assertThatThrownBy(() -> manta.putMetadata("/alice/stor/o", Map.of("content-length", "3")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("content-length");
    assertThatThrownBy(() -> manta.putMetadata("/alice/stor/o", Map.of("m-x", "a\nb")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control characters");
    assertThatThrownBy(() -> manta.putMetadata("/alice/stor/o", Map.of("m-x", "v".repeat(5000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096");
    assertThatThrownBy(() -> manta.putMetadata("/alice/stor/missing", Map.of("m-x", "1")))
        .isInstanceOfSatisfying(
            MantaException.class, e -> assertThat(e.code()).isEqualTo("ResourceNotFound"));
  }

  @Test
  void roleTagsOnPutAndUnknownRoles() {
    manta.put(
        "/alice/stor/r",
        MantaBody.ofBytes(new byte[] {1}),
        PutOptions.defaults().withMetadata(Map.of("role-tag", "ops")));
    assertThatThrownBy(
            () ->
                manta.put(
                    "/alice/stor/r2",
                    MantaBody.ofBytes(new byte[] {1}),
                    PutOptions.defaults().withMetadata(Map.of("role-tag", "nobody"))))
        .isInstanceOfSatisfying(
            MantaException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.code()).isEqualTo("InvalidRoleTag");
            });
  }

  @Test
  void headErrorsAreNamed() {
    assertThatThrownBy(() -> manta.info("/alice/stor/nothing/here"))
        .isInstanceOfSatisfying(
            MantaException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ResourceNotFound");
              assertThat(e.getMessage()).contains("/alice/stor/nothing/here was not found");
            });
    try (EmulatorFixture other =
        new EmulatorFixture(
            tmp.resolve("other"),
            e -> e,
            "rsa_openssh",
            b -> b.signer(MantaSigner.of(EmulatorFixture.key("ecdsa256_sec1"))))) {
      assertThatThrownBy(() -> other.manta().info("/alice/stor"))
          .isInstanceOfSatisfying(
              MantaException.class,
              e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.code()).isEqualTo("KeyDoesNotExist");
                assertThat(e.getMessage()).startsWith("/alice/keys/").endsWith(" does not exist");
              });
      long before = other.emulator.requestCount();
      assertThat(catchManta(() -> other.manta().head("/alice/stor")).code()).isEqualTo("HTTP403");
      assertThat(other.emulator.requestCount() - before).isEqualTo(1);
    }
  }

  @Test
  void signedUrlsServeWithoutAKey() throws Exception {
    manta.put("/alice/stor/s p", "shared".getBytes(StandardCharsets.UTF_8));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    var url = manta.signedUrl("/alice/stor/s p", List.of("GET"), Instant.now().plusSeconds(60));
    HttpResponse<String> ok =
        http.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("shared");

    var expired = manta.signedUrl("/alice/stor/s p", List.of("GET"), Instant.now().minusSeconds(1));
    HttpResponse<String> no =
        http.send(
            HttpRequest.newBuilder(expired).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(no.statusCode()).isEqualTo(403);
    assertThat(no.body()).contains("InvalidQueryStringAuthentication");

    var both =
        manta.signedUrl("/alice/stor/s p", List.of("HEAD", "GET"), Instant.now().plusSeconds(60));
    HttpResponse<Void> head =
        http.send(
            HttpRequest.newBuilder(both)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> manta.signedUrl("/alice/stor/x", List.of(), Instant.now()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
