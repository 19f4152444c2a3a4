package io.vminfo.manta;

import static io.vminfo.manta.MantaClientTest.catchManta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vminfo.manta.emulator.MantaEmulator;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP Signature auth against the emulator's independent verifier, ssh-agent, TLS, config. */
class MantaAuthTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rsa_pkcs1",
        "rsa_openssh",
        "rsa_pkcs8",
        "ecdsa256_sec1",
        "ecdsa256_pkcs8",
        "ecdsa384_openssh",
        "ecdsa521_openssh",
        "ed25519_openssh",
        "ed25519_pkcs8",
        "ecdsa256_nopub_sec1"
      })
  void everyKeyTypeAuthenticates(String keyName) throws Exception {
    try (EmulatorFixture fx = new EmulatorFixture(tmp, keyName, b -> b)) {
      fx.manta().put("/alice/stor/k", new byte[] {1});
      assertThat(fx.manta().getBytes("/alice/stor/k")).containsExactly(1);
    }
  }

  @Test
  void rsaSha1AndSha512Authenticate() {
    MantaKey key = EmulatorFixture.key("rsa_pkcs1");
    for (String alg : new String[] {"rsa-sha1", "rsa-sha512"}) {
      try (EmulatorFixture fx =
          new EmulatorFixture(
              tmp.resolve(alg), "rsa_pkcs1", b -> b.signer(MantaSigner.of(key, alg)))) {
        fx.manta().head("/alice/stor");
      }
    }
  }

  @Test
  void wrongKeySkewedClockAndUnknownRoleAreRefused() {
    MantaKey other = EmulatorFixture.key("rsa_openssh");
    try (EmulatorFixture fx =
        new EmulatorFixture(
            tmp.resolve("a"), "ed25519_openssh", b -> b.signer(MantaSigner.of(other)))) {
      MantaException e = catchManta(() -> fx.manta().head("/alice/stor"));
      assertThat(e.status()).isEqualTo(403);
      assertThat(fx.emulator.requestCount()).isEqualTo(1);
    }
    Clock skewed = Clock.fixed(Instant.now().minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
    try (EmulatorFixture fx =
        new EmulatorFixture(tmp.resolve("b"), "ed25519_openssh", b -> b.clock(skewed))) {
      MantaException e = catchManta(() -> fx.manta().getBytes("/alice/stor/x"));
      assertThat(e.code()).isEqualTo("RequestExpired");
      assertThat(e.status()).isEqualTo(400);
    }
    Clock slightlyOff = Clock.fixed(Instant.now().plus(Duration.ofSeconds(200)), ZoneOffset.UTC);
    try (EmulatorFixture fx =
        new EmulatorFixture(tmp.resolve("c"), "ed25519_openssh", b -> b.clock(slightlyOff))) {
      fx.manta().head("/alice/stor");
    }
    try (EmulatorFixture fx =
        new EmulatorFixture(tmp.resolve("d"), "ed25519_openssh", b -> b.roles(List.of("ops")))) {
      fx.manta().head("/alice/stor");
    }
    try (EmulatorFixture fx =
        new EmulatorFixture(tmp.resolve("e"), "ed25519_openssh", b -> b.roles(List.of("nope")))) {
      assertThat(catchManta(() -> fx.manta().getBytes("/alice/stor/x")).code())
          .isEqualTo("InvalidRole");
    }
  }

  @Test
  void subusersSignWithTheirOwnKeyId() {
    MantaKey sub = EmulatorFixture.key("ecdsa384_openssh");
    MantaKey owner = EmulatorFixture.key("ed25519_openssh");
    try (MantaEmulator emu =
            MantaEmulator.builder()
                .root(tmp)
                .key("alice", owner.publicKey())
                .subuserKey("alice", "uploader", sub.publicKey())
                .start();
        MantaClient c =
            MantaClient.create(
                MantaConfig.builder()
                    .url(emu.url())
                    .user("alice")
                    .subuser("uploader")
                    .signer(MantaSigner.of(sub))
                    .build())) {
      c.blocking().put("/alice/stor/by-subuser", new byte[] {5});
      assertThat(c.blocking().getBytes("/alice/stor/by-subuser")).containsExactly(5);
    }
  }

  @Test
  void anonymousReadsOfPublicOnly() {
    try (EmulatorFixture fx = new EmulatorFixture(tmp)) {
      fx.manta().put("/alice/public/hello", "hi".getBytes(StandardCharsets.UTF_8));
      fx.manta().put("/alice/stor/secret", "no".getBytes(StandardCharsets.UTF_8));
      try (MantaClient anon =
          MantaClient.create(
              MantaConfig.builder().url(fx.emulator.url()).user("alice").anonymous(true).build())) {
        assertThat(anon.blocking().getBytes("/alice/public/hello"))
            .isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(catchManta(() -> anon.blocking().getBytes("/alice/stor/secret")).code())
            .isEqualTo("AuthorizationFailed");
      }
    }
  }

  @Test
  void signsThroughSshAgent() throws Exception {
    assumeThat(onPath("ssh-agent") && onPath("ssh-add"))
        .as("ssh-agent and ssh-add are installed")
        .isTrue();
    Path sock = tmp.resolve("agent.sock");
    Process agent =
        new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("agent.log").toFile())
            .start();
    try {
      for (int i = 0; i < 100 && !Files.exists(sock); i++) {
        agent.waitFor(50, TimeUnit.MILLISECONDS);
      }
      assertThat(sock).exists();
      for (String name : new String[] {"rsa_openssh", "ecdsa256_sec1", "ed25519_openssh"}) {
        Path keyFile = tmp.resolve(name);
        Files.writeString(keyFile, resource(name));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder pb =
            new ProcessBuilder("ssh-add", keyFile.toString()).redirectErrorStream(true);
        pb.environment().put("SSH_AUTH_SOCK", sock.toString());
        Process add = pb.start();
        add.getInputStream().readAllBytes();
        assertThat(add.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(add.exitValue()).isZero();
      }
      for (String name : new String[] {"rsa_openssh", "ecdsa256_sec1", "ed25519_openssh"}) {
        MantaKey key = EmulatorFixture.key(name);
        try (MantaEmulator emu =
                MantaEmulator.builder()
                    .root(tmp.resolve("m-" + name))
                    .key("alice", key.publicKey())
                    .start();
            MantaClient c =
                MantaClient.create(
                    MantaConfig.fromEnv(
                            Map.of(
                                "MANTA_URL",
                                emu.url().toString(),
                                "MANTA_USER",
                                "alice",
                                "MANTA_KEY_ID",
                                key.sha256Fingerprint(),
                                "SSH_AUTH_SOCK",
                                sock.toString(),
                                "HOME",
                                tmp.resolve("nohome").toString()))
                        .build())) {
          c.blocking().put("/alice/stor/agent", new byte[] {9});
          assertThat(c.blocking().getBytes("/alice/stor/agent")).containsExactly(9);
        }
      }
    } finally {
      agent.destroy();
      agent.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void keyFromEnvironmentByFingerprintInHomeSsh() throws Exception {
    Path ssh = Files.createDirectories(tmp.resolve("home/.ssh"));
    Files.writeString(ssh.resolve("id_ecdsa"), resource("ecdsa521_openssh"));
    Files.writeString(ssh.resolve("id_ecdsa.pub"), resource("ecdsa521_openssh.pub"));
    MantaKey key = EmulatorFixture.key("ecdsa521_openssh");
    try (MantaEmulator emu =
            MantaEmulator.builder().root(tmp.resolve("m")).key("alice", key.publicKey()).start();
        MantaClient c =
            MantaClient.create(
                MantaConfig.fromEnv(
                        Map.of(
                            "MANTA_URL",
                            emu.url().toString(),
                            "MANTA_USER",
                            "alice",
                            "MANTA_KEY_ID",
                            key.md5Fingerprint(),
                            "HOME",
                            tmp.resolve("home").toString()))
                    .build())) {
      c.blocking().head("/alice/stor");
    }
    MantaConfig missing =
        MantaConfig.fromEnv(
                Map.of(
                    "MANTA_URL",
                    "http://127.0.0.1:1",
                    "MANTA_USER",
                    "alice",
                    "MANTA_KEY_ID",
                    "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff",
                    "HOME",
                    tmp.resolve("home").toString()))
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MantaClient.create(missing))
        .isInstanceOf(MantaKeyException.class)
        .hasMessageContaining("MANTA_KEY_PATH");
  }

  @Test
  void tlsWithInsecureOptionAndCertificateChecksOtherwise() throws Exception {
    KeyStore store = EmulatorFixture.selfSignedKeyStore(tmp);
    MantaKey key = EmulatorFixture.key("ed25519_openssh");
    try (MantaEmulator emu =
        MantaEmulator.builder()
            .root(tmp.resolve("m"))
            .key("alice", key.publicKey())
            .tls(store, EmulatorFixture.KEY_STORE_PASSWORD)
            .start()) {
      assertThat(emu.url().getScheme()).isEqualTo("https");
      Map<String, String> env =
          Map.of(
              "MANTA_URL",
              emu.url().toString(),
              "MANTA_USER",
              "alice",
              "MANTA_KEY_ID",
              key.md5Fingerprint(),
              "MANTA_TLS_INSECURE",
              "true");
      try (MantaClient c =
          MantaClient.create(MantaConfig.fromEnv(env).signer(MantaSigner.of(key)).build())) {
        c.blocking().put("/alice/stor/tls", new byte[200_000]);
        assertThat(c.blocking().getBytes("/alice/stor/tls")).hasSize(200_000);
      }
      try (MantaClient strict =
          MantaClient.create(
              MantaConfig.fromEnv(env).tlsInsecure(false).signer(MantaSigner.of(key)).build())) {
        MantaException e = catchManta(() -> strict.blocking().head("/alice/stor"));
        assertThat(e.code()).isEqualTo(MantaException.CONNECT_FAILED);
        assertThat(e.getMessage()).contains("MANTA_TLS_INSECURE");
        assertThat(e.retryable()).isFalse();
      }
    }
  }

  @Test
  void configFromEnvironment() {
    MantaConfig c =
        MantaConfig.fromEnv(
                Map.of(
                    "MANTA_URL",
                    "https://us-east.manta.example.com",
                    "MANTA_USER",
                    "alice",
                    "MANTA_SUBUSER",
                    "bob",
                    "MANTA_ROLE",
                    "ops, admin",
                    "MANTA_KEY_ID",
                    "SHA256:abc",
                    "MANTA_TLS_INSECURE",
                    "1"))
            .build();
    assertThat(c.user()).isEqualTo("alice");
    assertThat(c.subuser()).hasValue("bob");
    assertThat(c.roles()).containsExactly("ops", "admin");
    assertThat(c.keyId()).hasValue("SHA256:abc");
    assertThat(c.tlsInsecure()).isTrue();
    assertThat(c.toString()).doesNotContain("BEGIN");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MantaConfig.fromEnv(Map.of("MANTA_USER", "a")))
        .hasMessageContaining("MANTA_URL");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MantaConfig.builder().url("ftp://x").user("a").anonymous(true).build())
        .hasMessageContaining("http");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MantaConfig.builder().url("http://x").user("a").build())
        .hasMessageContaining("MANTA_KEY_ID");
  }

  static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, cmd))) {
        return true;
      }
    }
    return false;
  }

  static String resource(String name) throws IOException {
    return MantaKeysTest.resource(name);
  }
}
