package io.vminfo.manta;

import io.vminfo.manta.emulator.MantaEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** An emulator with account "alice" and a client signing with one of the fixture keys. */
final class EmulatorFixture implements AutoCloseable {
  final MantaEmulator emulator;
  final MantaClient client;
  final MantaKey key;

  EmulatorFixture(Path root, String keyName, UnaryOperator<MantaConfig.Builder> tweak) {
    this(root, e -> e, keyName, tweak);
  }

  EmulatorFixture(
      Path root,
      UnaryOperator<MantaEmulator.Builder> emulatorTweak,
      String keyName,
      UnaryOperator<MantaConfig.Builder> tweak) {
    this.key = key(keyName);
    this.emulator =
        emulatorTweak
            .apply(
                MantaEmulator.builder()
                    .root(root)
                    .key("alice", key.publicKey())
                    .role("alice", "ops"))
            .start();
    MantaConfig.Builder b =
        MantaConfig.builder()
            .url(emulator.url())
            .user("alice")
            .signer(MantaSigner.of(key))
            .requestTimeout(Duration.ofSeconds(10))
            .retryPolicy(new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(50)))
            .ioThreads(1);
    this.client = MantaClient.create(tweak.apply(b).build());
  }

  EmulatorFixture(Path root) {
    this(root, "ed25519_openssh", b -> b);
  }

  BlockingMantaClient manta() {
    return client.blocking();
  }

  /**
   * A config for a raw test server on {@code server}: login alice, the ed25519 test key, no
   * retries; each test adds the bounds it is about.
   */
  static MantaConfig.Builder rawServerConfig(java.net.ServerSocket server) {
    return MantaConfig.builder()
        .url("http://127.0.0.1:" + server.getLocalPort())
        .user("alice")
        .signer(MantaSigner.of(key("ed25519_openssh")))
        .retryPolicy(RetryPolicy.none());
  }

  /** The password of {@link #selfSignedKeyStore}'s store and key. */
  static final char[] KEY_STORE_PASSWORD = "changeit".toCharArray();

  /**
   * A PKCS12 store in {@code dir} holding one self-signed EC key for CN=localhost, made by the
   * JDK's keytool (no test dependency can make a certificate).
   */
  static KeyStore selfSignedKeyStore(Path dir) throws IOException, GeneralSecurityException {
    Path ks = dir.resolve("ks.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String password = new String(KEY_STORE_PASSWORD);
    Process p =
        new ProcessBuilder(
                keytool,
                "-genkeypair",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-alias",
                "manta",
                "-dname",
                "CN=localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                password,
                "-keypass",
                password)
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for keytool", e);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, KEY_STORE_PASSWORD);
    }
    return store;
  }

  static MantaKey key(String name) {
    try (InputStream in = EmulatorFixture.class.getResourceAsStream("/keys/" + name)) {
      return MantaKeys.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    emulator.close();
  }
}
