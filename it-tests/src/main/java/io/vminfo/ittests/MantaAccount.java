package io.vminfo.ittests;

import io.vminfo.manta.emulator.MantaEmulator;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Manta login with a fresh RSA key for tests: the private key written as PKCS#8 PEM (mode 0600),
 * its MD5 fingerprint as {@code MANTA_KEY_ID}, the public key to register with a {@link
 * MantaEmulator}, and the agent's {@code storage.manta.*} settings.
 *
 * <pre>{@code
 * MantaAccount acct = MantaAccount.create(dir, "acct");
 * try (MantaEmulator manta = acct.register(MantaEmulator.builder().root(dir.resolve("manta"))).start()) {
 *   acct.configure(agentBuilder, manta.url());
 * }
 * }</pre>
 */
public final class MantaAccount {
  private final String login;
  private final Path keyPath;
  private final PublicKey publicKey;
  private final String keyId;

  private MantaAccount(String login, Path keyPath, PublicKey publicKey, String keyId) {
    this.login = login;
    this.keyPath = keyPath;
    this.publicKey = publicKey;
    this.keyId = keyId;
  }

  /** A login with a new 2048-bit RSA key written to {@code <dir>/<login>.key}. */
  public static MantaAccount create(Path dir, String login) throws IOException {
    Objects.requireNonNull(dir, "dir");
    if (login == null || !login.matches("[a-zA-Z][a-zA-Z0-9_.-]{1,31}")) {
      throw new IllegalArgumentException("not a Manta login: " + login);
    }
    KeyPair pair;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      pair = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no RSA in this JDK", e);
    }
    Files.createDirectories(dir);
    Path key = dir.resolve(login + ".key");
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    Files.deleteIfExists(key);
    Files.createFile(
        key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(key, pem, StandardCharsets.US_ASCII);
    return new MantaAccount(
        login, key, pair.getPublic(), md5Fingerprint((RSAPublicKey) pair.getPublic()));
  }

  public String login() {
    return login;
  }

  public Path keyPath() {
    return keyPath;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** The MD5 fingerprint of the public key, {@code aa:bb:...} (what {@code MANTA_KEY_ID} holds). */
  public String keyId() {
    return keyId;
  }

  /** Registers this login's key with an emulator being built. */
  public MantaEmulator.Builder register(MantaEmulator.Builder emulator) {
    return emulator.key(login, publicKey);
  }

  /** Points an agent's usage uploads at {@code mantaUrl} as this login. */
  public AgentProcess.Builder configure(AgentProcess.Builder agent, URI mantaUrl) {
    return agent
        .set("storage.target", "manta")
        .set("storage.manta.url", mantaUrl.toString())
        .set("storage.manta.user", login)
        .set("storage.manta.key_id", keyId)
        .set("storage.manta.key_path", keyPath);
  }

  /** The usual {@code /<login>/stor/usage} prefix of the agent's objects. */
  public String usagePrefix() {
    return "/" + login + "/stor/usage";
  }

  private static String md5Fingerprint(RSAPublicKey key) {
    try {
      ByteArrayOutputStream blob = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(blob);
      writeString(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
      writeString(out, key.getPublicExponent().toByteArray());
      writeString(out, key.getModulus().toByteArray());
      byte[] md5 = MessageDigest.getInstance("MD5").digest(blob.toByteArray());
      return HexFormat.ofDelimiter(":").formatHex(md5);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeString(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }
}
