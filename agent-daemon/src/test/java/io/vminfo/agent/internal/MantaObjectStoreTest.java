package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.testing.TestKeys;
import io.vminfo.manta.MantaClient;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.MantaObjectInfo;
import io.vminfo.manta.RetryPolicy;
import io.vminfo.manta.emulator.MantaEmulator;
import io.vminfo.usage.ObjectStoreException;
import io.vminfo.usage.StoredObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Manta {@code ObjectStore} adapter against the Manta emulator: what it sends (directories,
 * Content-MD5, durability level), what it returns (Manta's Computed-MD5), and how each failure is
 * classified for the recorder (retry later vs park).
 */
class MantaObjectStoreTest {
  private static final String PATH = "/alice/stor/usage/2026/11/22/10/server.log.gz";

  @TempDir Path dir;

  private MantaEmulator manta;
  private TestKeys key;
  private Path file;
  private String md5;

  @BeforeEach
  void setUp() throws Exception {
    key = TestKeys.generate(dir.resolve("id_rsa"));
    manta =
        MantaEmulator.builder()
            .root(dir.resolve("manta"))
            .key("alice", key.pair().getPublic())
            .start();
    file = dir.resolve("hour.log.gz");
    Files.write(file, "sealed usage bytes\n".repeat(1000).getBytes());
    md5 =
        Base64.getEncoder()
            .encodeToString(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
  }

  @AfterEach
  void tearDown() {
    manta.close();
  }

  private MantaObjectStore store(TestKeys signer, RetryPolicy retries) {
    MantaConfig config =
        MantaConfig.builder()
            .url(manta.url())
            .user("alice")
            .keyId(signer.md5Fingerprint())
            .keyPath(signer.privateKeyFile())
            .retryPolicy(retries)
            .requestTimeout(Duration.ofSeconds(5))
            .build();
    return new MantaObjectStore(config, 3, MantaClient::create);
  }

  @Test
  void putsWithItsParentsMd5AndDurabilityAndReturnsMantasMd5() throws Exception {
    try (MantaObjectStore s = store(key, RetryPolicy.none())) {
      StoredObject stored = s.put(file, PATH, md5);
      assertThat(stored.computedMd5Base64()).isEqualTo(md5);
      assertThat(stored.bytes()).isEqualTo(Files.size(file));
      assertThat(manta.fileOf(PATH))
          .hasValueSatisfying(p -> assertThat(p).hasSameBinaryContentAs(file));
      try (MantaClient c =
          MantaClient.create(
              MantaConfig.builder()
                  .url(manta.url())
                  .user("alice")
                  .keyId(key.md5Fingerprint())
                  .keyPath(key.privateKeyFile())
                  .build())) {
        MantaObjectInfo info = c.blocking().head(PATH);
        assertThat(info.durability()).hasValue(3);
        assertThat(info.contentMd5()).contains(md5);
        assertThat(info.contentType()).isEqualTo(MantaObjectStore.CONTENT_TYPE);
      }
      // A second file of the same hour needs no directory requests: the client remembers them.
      long before = manta.requestCount();
      s.put(file, PATH.replace(".log.gz", ".1.log.gz"), md5);
      assertThat(manta.requestCount() - before).isEqualTo(1);
      assertThat(manta.requests().get(manta.requests().size() - 1).method()).isEqualTo("PUT");
    }
  }

  @Test
  void serverErrorsThrottlingAndDroppedConnectionsAreTransient() throws Exception {
    try (MantaObjectStore s = store(key, RetryPolicy.none())) {
      manta.faults().refuseAll();
      assertThatThrownBy(() -> s.put(file, PATH, md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(ObjectStoreException.Kind.TRANSIENT))
          .hasMessageContaining("503");
      manta.faults().acceptAll();
      manta.faults().throttleNext(1);
      assertThatThrownBy(() -> s.put(file, PATH, md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class, e -> assertThat(e.isTransient()).isTrue())
          .hasMessageContaining("ThrottledError");
      manta.faults().dropAll();
      assertThatThrownBy(() -> s.put(file, PATH, md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class, e -> assertThat(e.isTransient()).isTrue());
      manta.faults().acceptAll();
      assertThat(s.put(file, PATH, md5).computedMd5Base64()).isEqualTo(md5);
    }
  }

  @Test
  void aStoreThatIsDownIsTransient() throws Exception {
    int port = manta.port();
    manta.close();
    MantaConfig config =
        MantaConfig.builder()
            .url("http://127.0.0.1:" + port)
            .user("alice")
            .keyId(key.md5Fingerprint())
            .keyPath(key.privateKeyFile())
            .retryPolicy(RetryPolicy.none())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    try (MantaObjectStore s = new MantaObjectStore(config, 2, MantaClient::create)) {
      assertThatThrownBy(() -> s.put(file, PATH, md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class, e -> assertThat(e.isTransient()).isTrue())
          .hasMessageContaining("ConnectFailed");
    }
  }

  @Test
  void aKeyMantaDoesNotKnowIsPermanent() throws Exception {
    TestKeys other = TestKeys.generate(dir.resolve("other_rsa"));
    try (MantaObjectStore s = store(other, RetryPolicy.defaults())) {
      assertThatThrownBy(() -> s.put(file, PATH, md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(ObjectStoreException.Kind.PERMANENT))
          .hasMessageContaining("KeyDoesNotExist");
    }
  }

  @Test
  void aPathMantaRefusesIsPermanent() throws Exception {
    try (MantaObjectStore s = store(key, RetryPolicy.none())) {
      assertThatThrownBy(() -> s.put(file, "/alice/reports/usage/x.log.gz", md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class, e -> assertThat(e.isTransient()).isFalse());
      assertThatThrownBy(() -> s.put(file, "/bob/stor/usage/x.log.gz", md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class, e -> assertThat(e.isTransient()).isFalse());
    }
  }

  @Test
  void aMissingKeyFileFailsUploadsPermanentlyButNotTheStart() throws Exception {
    AgentConfig.MantaSettings settings =
        new AgentConfig.MantaSettings(
            Optional.of(manta.url().toString()),
            Optional.of("alice"),
            Optional.empty(),
            Optional.empty(),
            Optional.of(key.md5Fingerprint()),
            Optional.of(dir.resolve("absent")),
            false,
            "/{login}/stor/usage/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log");
    try (MantaObjectStore s = MantaObjectStore.create(settings, 2, Map.of(), "test")) {
      s.connect(); // logs, does not throw
      assertThatThrownBy(() -> s.put(file, PATH, md5))
          .isInstanceOfSatisfying(
              ObjectStoreException.class, e -> assertThat(e.isTransient()).isFalse())
          .hasMessageContaining("cannot sign Manta requests");
      assertThat(s.describe())
          .isEqualTo("manta " + manta.url() + " as alice")
          .doesNotContain(key.privateKeyFile().toString());
    }
  }

  @Test
  void classifiesEveryKindOfFailure() {
    assertThat(kind(503, "ServiceUnavailable", false))
        .isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(500, "InternalError", true)).isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(429, "ThrottledError", true)).isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(408, "RequestTimeout", false)).isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(403, "RequestExpired", false)).isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(0, MantaException.CONNECT_FAILED, true))
        .isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(0, MantaException.CONNECTION_CLOSED, true))
        .isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(0, MantaException.TIMEOUT, false))
        .isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(204, MantaException.MD5_MISMATCH, false))
        .isEqualTo(ObjectStoreException.Kind.TRANSIENT);
    assertThat(kind(403, "InvalidSignature", false)).isEqualTo(ObjectStoreException.Kind.PERMANENT);
    assertThat(kind(403, "KeyDoesNotExist", false)).isEqualTo(ObjectStoreException.Kind.PERMANENT);
    assertThat(kind(404, "AccountDoesNotExist", false))
        .isEqualTo(ObjectStoreException.Kind.PERMANENT);
    assertThat(kind(400, "InvalidResource", false)).isEqualTo(ObjectStoreException.Kind.PERMANENT);
    assertThat(kind(0, MantaException.BAD_RESPONSE, false))
        .isEqualTo(ObjectStoreException.Kind.PERMANENT);
  }

  private static ObjectStoreException.Kind kind(int status, String code, boolean retryable) {
    return MantaObjectStore.kindOf(
        new MantaException(status, code, "m", Optional.empty(), retryable, null));
  }
}
