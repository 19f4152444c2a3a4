package io.vminfo.manta.internal;

import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaKeyException;
import io.vminfo.manta.MantaSigner;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Locale;
import java.util.Objects;

/** Signs with a private key in memory. */
public final class KeySigner implements MantaSigner {
  private final MantaKey key;
  private final String algorithm;
  private final String javaAlgorithm;

  public KeySigner(MantaKey key, String algorithm) {
    this.key = Objects.requireNonNull(key, "key");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm").toLowerCase(Locale.ROOT);
    this.javaAlgorithm = javaAlgorithm(key.type(), this.algorithm);
    sign(new byte[] {0}); // fail now, not on the first request, if the key cannot sign
  }

  static String javaAlgorithm(MantaKey.Type type, String algorithm) {
    switch (type) {
      case RSA:
        switch (algorithm) {
          case "rsa-sha1":
            return "SHA1withRSA";
          case "rsa-sha256":
            return "SHA256withRSA";
          case "rsa-sha512":
            return "SHA512withRSA";
          default:
            break;
        }
        break;
      case ECDSA:
        switch (algorithm) {
          case "ecdsa-sha256":
            return "SHA256withECDSA";
          case "ecdsa-sha512":
            return "SHA512withECDSA";
          default:
            break;
        }
        break;
      default:
        if (algorithm.equals("ed25519-sha512")) {
          return "Ed25519";
        }
    }
    throw new MantaKeyException("algorithm " + algorithm + " does not fit a " + type + " key");
  }

  @Override
  public String md5Fingerprint() {
    return key.md5Fingerprint();
  }

  @Override
  public String algorithm() {
    return algorithm;
  }

  @Override
  public byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance(javaAlgorithm);
      s.initSign(key.privateKey());
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new MantaKeyException("cannot sign with " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "KeySigner[" + algorithm + " " + key.md5Fingerprint() + "]";
  }
}
