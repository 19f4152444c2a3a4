package io.vminfo.manta.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Public keys in SSH wire format, and their MD5 and SHA-256 fingerprints as ssh-keygen prints them.
 */
public final class SshPublicKeys {
  /** X.509 SubjectPublicKeyInfo prefix of a raw 32-byte Ed25519 key. */
  static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private SshPublicKeys() {}

  public static byte[] encode(PublicKey key) {
    SshWire.Writer w = new SshWire.Writer();
    if (key instanceof RSAPublicKey) {
      RSAPublicKey rsa = (RSAPublicKey) key;
      return w.string("ssh-rsa")
          .mpint(rsa.getPublicExponent())
          .mpint(rsa.getModulus())
          .toByteArray();
    }
    if (key instanceof ECPublicKey) {
      ECPublicKey ec = (ECPublicKey) key;
      String curve = EcCurves.sshName(ec.getParams());
      return w.string("ecdsa-sha2-" + curve)
          .string(curve)
          .bytes(EcCurves.encodePoint(ec.getW(), ec.getParams()))
          .toByteArray();
    }
    if (isEd25519(key)) {
      byte[] spki = key.getEncoded();
      return w.string("ssh-ed25519")
          .bytes(Arrays.copyOfRange(spki, spki.length - 32, spki.length))
          .toByteArray();
    }
    throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
  }

  public static PublicKey decode(byte[] blob) {
    SshWire in = new SshWire(blob);
    String type = in.string();
    try {
      switch (type) {
        case "ssh-rsa":
          {
            BigInteger e = in.mpint();
            BigInteger n = in.mpint();
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
          }
        case "ssh-ed25519":
          return ed25519(in.bytes());
        case "ecdsa-sha2-nistp256":
        case "ecdsa-sha2-nistp384":
        case "ecdsa-sha2-nistp521":
          {
            ECParameterSpec spec = EcCurves.bySshName(in.string());
            return KeyFactory.getInstance("EC")
                .generatePublic(new ECPublicKeySpec(EcCurves.decodePoint(in.bytes(), spec), spec));
          }
        default:
          throw new IllegalArgumentException("unsupported SSH key type " + type);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("malformed " + type + " public key", e);
    }
  }

  /** Parses an OpenSSH public key line: {@code ssh-ed25519 AAAA... comment}. */
  public static PublicKey parseLine(String line) {
    String[] parts = line.strip().split("\\s+");
    if (parts.length < 2) {
      throw new IllegalArgumentException("not an OpenSSH public key line");
    }
    try {
      return decode(Base64.getDecoder().decode(parts[1]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an OpenSSH public key line: " + e.getMessage(), e);
    }
  }

  public static PublicKey ed25519(byte[] raw) throws GeneralSecurityException {
    if (raw.length != 32) {
      throw new IllegalArgumentException("Ed25519 public keys are 32 bytes, got " + raw.length);
    }
    byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
    System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  public static boolean isEd25519(java.security.Key key) {
    return key.getAlgorithm().equals("EdDSA") || key.getAlgorithm().equals("Ed25519");
  }

  /** {@code 12:f8:7e:...}: what Manta key ids carry. */
  public static String md5Fingerprint(PublicKey key) {
    return HexFormat.ofDelimiter(":").formatHex(digest("MD5", encode(key)));
  }

  /** {@code SHA256:base64-without-padding}, as modern ssh-keygen prints. */
  public static String sha256Fingerprint(PublicKey key) {
    return "SHA256:"
        + Base64.getEncoder().withoutPadding().encodeToString(digest("SHA-256", encode(key)));
  }

  /**
   * True when {@code fingerprint} (MD5 hex, optionally "MD5:"-prefixed, or "SHA256:...") names this
   * key.
   */
  public static boolean matches(String fingerprint, PublicKey key) {
    String f = fingerprint.trim();
    if (f.regionMatches(true, 0, "SHA256:", 0, 7)) {
      return ("SHA256:" + f.substring(7).replace("=", "")).equals(sha256Fingerprint(key));
    }
    if (f.regionMatches(true, 0, "MD5:", 0, 4)) {
      f = f.substring(4);
    }
    return f.equalsIgnoreCase(md5Fingerprint(key));
  }

  private static byte[] digest(String alg, byte[] data) {
    try {
      return MessageDigest.getInstance(alg).digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
