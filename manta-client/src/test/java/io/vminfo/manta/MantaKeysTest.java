package io.vminfo.manta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key files made by ssh-keygen and openssl (src/test/resources/keys, fingerprints from {@code
 * ssh-keygen -l}): every format loads, has ssh-keygen's fingerprints and signs verifiably.
 */
class MantaKeysTest {

  record Fixture(String file, String md5, String sha256) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Stream<Fixture> fixtures() throws IOException {
    List<Fixture> out = new ArrayList<>();
    for (String line : resource("fingerprints.txt").split("\n")) {
      String[] p = line.trim().split(" ");
      if (p.length == 3) {
        out.add(new Fixture(p[0], p[1], p[2]));
      }
    }
    assertThat(out).hasSizeGreaterThanOrEqualTo(9);
    return out.stream();
  }

  static String resource(String name) throws IOException {
    try (InputStream in = MantaKeysTest.class.getResourceAsStream("/keys/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void loadsEveryFormatWithSshKeygensFingerprints(Fixture f, @TempDir Path dir) throws Exception {
    Path file = dir.resolve(f.file());
    Files.writeString(file, resource(f.file()));
    MantaKey key = MantaKeys.load(file);

    assertThat(key.md5Fingerprint()).isEqualTo(f.md5());
    assertThat(key.sha256Fingerprint()).isEqualTo(f.sha256());
    assertThat(key.matches(f.md5())).isTrue();
    assertThat(key.matches("MD5:" + f.md5().toUpperCase())).isTrue();
    assertThat(key.matches(f.sha256())).isTrue();
    assertThat(key.toString()).contains(f.md5()).doesNotContain("BEGIN");

    String pubLine = resource(f.file() + ".pub");
    assertThat(MantaKeys.md5Fingerprint(MantaKeys.parsePublicKey(pubLine))).isEqualTo(f.md5());
    assertThat(key.publicKeyLine())
        .isEqualTo(pubLine.trim().split(" ")[0] + " " + pubLine.trim().split(" ")[1]);

    MantaSigner signer = MantaSigner.of(key);
    byte[] data = "date: Tue, 01 Jan 2030 00:00:00 GMT".getBytes(StandardCharsets.UTF_8);
    Signature v = Signature.getInstance(javaAlgorithm(signer.algorithm()));
    v.initVerify(key.publicKey());
    v.update(data);
    assertThat(v.verify(signer.sign(data))).isTrue();
  }

  static String javaAlgorithm(String alg) {
    switch (alg) {
      case "rsa-sha256":
        return "SHA256withRSA";
      case "ecdsa-sha256":
        return "SHA256withECDSA";
      case "ecdsa-sha384":
        return "SHA384withECDSA";
      case "ecdsa-sha512":
        return "SHA512withECDSA";
      case "ed25519-sha512":
        return "Ed25519";
      default:
        throw new IllegalArgumentException(alg);
    }
  }

  @Test
  void curvesPickTheirHash() throws Exception {
    assertThat(MantaKeys.parse(resource("ecdsa256_sec1"), "p256").defaultAlgorithm())
        .isEqualTo("ecdsa-sha256");
    assertThat(MantaKeys.parse(resource("ecdsa384_openssh"), "p384").defaultAlgorithm())
        .isEqualTo("ecdsa-sha512");
    assertThat(MantaKeys.parse(resource("ecdsa521_openssh"), "p521").defaultAlgorithm())
        .isEqualTo("ecdsa-sha512");
    assertThat(MantaKeys.parse(resource("ed25519_openssh"), "ed").defaultAlgorithm())
        .isEqualTo("ed25519-sha512");
    assertThat(MantaKeys.parse(resource("rsa_pkcs1"), "rsa").defaultAlgorithm())
        .isEqualTo("rsa-sha256");
  }

  @Test
  void encryptedKeysNameTheFix() throws Exception {
    for (String name : new String[] {"encrypted_openssh", "encrypted_pem"}) {
      assertThatThrownBy(() -> MantaKeys.parse(resource(name), name))
          .isInstanceOf(MantaKeyException.class)
          .hasMessageContaining("encrypted")
          .hasMessageContaining("ssh-add")
          .hasMessageContaining("ssh-keygen -p");
    }
    String pkcs8Encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
    assertThatThrownBy(() -> MantaKeys.parse(pkcs8Encrypted, "k"))
        .hasMessageContaining("encrypted");
  }

  @Test
  void badKeysGiveClearErrors() {
    assertThatThrownBy(() -> MantaKeys.parse("hello", "x"))
        .isInstanceOf(MantaKeyException.class)
        .hasMessageContaining("not a PEM or OpenSSH private key");
    assertThatThrownBy(
            () ->
                MantaKeys.parse(
                    "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "x"))
        .isInstanceOf(MantaKeyException.class)
        .hasMessageContaining("malformed");
    assertThatThrownBy(
            () ->
                MantaKeys.parse(
                    "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n-----END OPENSSH PRIVATE KEY-----\n",
                    "x"))
        .isInstanceOf(MantaKeyException.class);
    assertThatThrownBy(() -> MantaKeys.parsePublicKey("ssh-rsa notbase64"))
        .isInstanceOf(MantaKeyException.class);
  }

  @Test
  void javaGeneratedPkcs8KeysLoad() throws Exception {
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
      if (alg.equals("EC")) {
        g.initialize(new ECGenParameterSpec("secp384r1"));
      }
      var pair = g.generateKeyPair();
      String pem =
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(pair.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n";
      MantaKey key = MantaKeys.parse(pem, alg);
      assertThat(key.md5Fingerprint()).isEqualTo(MantaKeys.md5Fingerprint(pair.getPublic()));
    }
  }

  @Test
  void warnsWhenOthersCanReadTheKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("id");
    Files.writeString(file, resource("ed25519_openssh"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(MantaKeys.permissionWarning(file))
        .hasValueSatisfying(w -> assertThat(w).contains("chmod 600"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(MantaKeys.permissionWarning(file)).isEmpty();
  }

  @Test
  void findsAKeyByFingerprintInADirectory(@TempDir Path dir) throws Exception {
    for (String name : new String[] {"rsa_openssh", "ed25519_openssh", "encrypted_openssh"}) {
      Files.writeString(dir.resolve(name), resource(name));
      Files.writeString(dir.resolve(name + ".pub"), resource(name + ".pub"));
    }
    Files.writeString(dir.resolve("known_hosts"), "junk");
    assertThat(MantaKeys.find(dir, "f9:0f:3f:58:73:64:a0:d5:35:a1:b9:6d:9a:31:14:6d"))
        .hasValueSatisfying(k -> assertThat(k.type()).isEqualTo(MantaKey.Type.ED25519));
    assertThat(MantaKeys.find(dir, "SHA256:wyoIQt9AyH63xPPHhDoHBW4ZhI8jLTkKTKcU7+BCLmo"))
        .hasValueSatisfying(k -> assertThat(k.type()).isEqualTo(MantaKey.Type.RSA));
    assertThat(MantaKeys.find(dir, "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00")).isEmpty();
  }

  @Test
  void rsaAlgorithmsAreSelectable() throws Exception {
    MantaKey key = MantaKeys.parse(resource("rsa_pkcs1"), "rsa");
    assertThat(MantaSigner.of(key, "rsa-sha512").algorithm()).isEqualTo("rsa-sha512");
    assertThat(MantaSigner.of(key, "rsa-sha1").algorithm()).isEqualTo("rsa-sha1");
    assertThatThrownBy(() -> MantaSigner.of(key, "ecdsa-sha256"))
        .isInstanceOf(MantaKeyException.class);
  }
}
