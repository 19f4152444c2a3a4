package io.vminfo.manta;

import io.vminfo.manta.internal.EcCurves;
import io.vminfo.manta.internal.SshPublicKeys;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;

/**
 * A loaded SSH key pair: what signs requests, and the fingerprints that name it. Its {@link
 * #toString()} shows the fingerprint, never key material.
 */
public final class MantaKey {
  /** Key families Manta accepts. */
  public enum Type {
    RSA,
    ECDSA,
    ED25519
  }

  private final PublicKey publicKey;
  private final PrivateKey privateKey;
  private final Type type;
  private final String md5;
  private final String sha256;

  public MantaKey(KeyPair pair) {
    Objects.requireNonNull(pair, "pair");
    this.publicKey = Objects.requireNonNull(pair.getPublic(), "public key");
    this.privateKey = Objects.requireNonNull(pair.getPrivate(), "private key");
    if (publicKey instanceof RSAPublicKey) {
      type = Type.RSA;
    } else if (publicKey instanceof ECPublicKey) {
      type = Type.ECDSA;
    } else if (SshPublicKeys.isEd25519(publicKey)) {
      type = Type.ED25519;
    } else {
      throw new MantaKeyException("unsupported key algorithm " + publicKey.getAlgorithm());
    }
    this.md5 = SshPublicKeys.md5Fingerprint(publicKey);
    this.sha256 = SshPublicKeys.sha256Fingerprint(publicKey);
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  public Type type() {
    return type;
  }

  /** {@code 12:f8:7e:...}: the fingerprint Manta key ids use. */
  public String md5Fingerprint() {
    return md5;
  }

  /** {@code SHA256:...}, as ssh-keygen prints by default. */
  public String sha256Fingerprint() {
    return sha256;
  }

  /**
   * The default http-signature algorithm: rsa-sha256, ecdsa-sha256/384/512 by curve, or
   * ed25519-sha512.
   */
  public String defaultAlgorithm() {
    switch (type) {
      case RSA:
        return "rsa-sha256";
      case ECDSA:
        return "ecdsa-" + EcCurves.hashFor(((ECPublicKey) publicKey).getParams());
      default:
        return "ed25519-sha512";
    }
  }

  /**
   * True when {@code fingerprint} names this key, in MD5 ({@code aa:bb:..}, optionally {@code
   * MD5:}) or SHA256 form.
   */
  public boolean matches(String fingerprint) {
    return SshPublicKeys.matches(fingerprint, publicKey);
  }

  /** The OpenSSH public key line, e.g. for an {@code authorized_keys}-style registration. */
  public String publicKeyLine() {
    String name;
    switch (type) {
      case RSA:
        name = "ssh-rsa";
        break;
      case ECDSA:
        name = "ecdsa-sha2-" + EcCurves.sshName(((ECPublicKey) publicKey).getParams());
        break;
      default:
        name = "ssh-ed25519";
    }
    return name
        + " "
        + java.util.Base64.getEncoder().encodeToString(SshPublicKeys.encode(publicKey));
  }

  @Override
  public String toString() {
    return "MantaKey[" + type + " " + md5 + "]";
  }
}
