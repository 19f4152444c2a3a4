package io.vminfo.manta;

import io.vminfo.core.testing.SelfSignedKeyStore;
import io.vminfo.manta.emulator.MantaEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
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
  static final char[] KEY_STORE_PASSWORD = SelfSignedKeyStore.PASSWORD;

  /** A store in {@code dir} holding one self-signed EC key for CN=localhost. */
  static KeyStore selfSignedKeyStore(Path dir) throws IOException, GeneralSecurityException {
    return SelfSignedKeyStore.create(dir, "CN=localhost", "").keyStore();
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
