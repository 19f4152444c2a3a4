package io.vminfo.manta.emulator.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A public key the emulator accepts signatures from, with its Manta key id (the MD5 fingerprint of
 * the SSH wire encoding, as mahi indexes keys).
 *
 * <p>This is deliberately an implementation separate from manta-client's, so the emulator checks
 * the client instead of agreeing with it by construction.
 */
public final class RegisteredKey {
  private static final byte[] ED25519_X509_PREFIX =
      HexFormat.of().parseHex("302a300506032b6570032100");

  private final PublicKey key;
  private final String type;
  private final String md5Fingerprint;

  private RegisteredKey(PublicKey key, String type, byte[] sshBlob) {
    this.key = key;
    this.type = type;
    this.md5Fingerprint = md5Hex(sshBlob);
  }

  public PublicKey key() {
    return key;
  }

  /** "rsa", "ecdsa" or "ed25519": the first half of an http-signature algorithm name. */
  public String type() {
    return type;
  }

  public String md5Fingerprint() {
    return md5Fingerprint;
  }

  public static RegisteredKey of(PublicKey key) {
    Objects.requireNonNull(key, "key");
    return new RegisteredKey(key, typeOf(key), encodeSshBlob(key));
  }

  /**
   * Reads an OpenSSH public key line ({@code ssh-rsa AAAA... comment}) or a PEM {@code PUBLIC KEY}
   * block.
   */
  public static RegisteredKey parse(String text) {
    String trimmed = text.strip();
    if (trimmed.startsWith("-----BEGIN PUBLIC KEY-----")) {
      String b64 =
          trimmed
              .replace("-----BEGIN PUBLIC KEY-----", "")
              .replace("-----END PUBLIC KEY-----", "")
              .replaceAll("\\s", "");
      byte[] der = Base64.getDecoder().decode(b64);
      for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
        try {
          return of(KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der)));
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      throw new IllegalArgumentException("unsupported PEM public key");
    }
    String[] parts = trimmed.split("\\s+");
    if (parts.length < 2) {
      throw new IllegalArgumentException("not an OpenSSH public key line");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("OpenSSH public key is not valid base64", e);
    }
    return new RegisteredKey(decodeSshBlob(blob), typeOfSshName(parts[0]), blob);
  }

  private static String typeOfSshName(String name) {
    if (name.equals("ssh-rsa")) {
      return "rsa";
    }
    if (name.startsWith("ecdsa-sha2-")) {
      return "ecdsa";
    }
    if (name.equals("ssh-ed25519")) {
      return "ed25519";
    }
    throw new IllegalArgumentException("unsupported key type " + name);
  }

  private static String typeOf(PublicKey key) {
    if (key instanceof RSAPublicKey) {
      return "rsa";
    }
    if (key instanceof ECPublicKey) {
      return "ecdsa";
    }
    if (key.getAlgorithm().equals("EdDSA") || key.getAlgorithm().equals("Ed25519")) {
      return "ed25519";
    }
    throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
  }

  private static PublicKey decodeSshBlob(byte[] blob) {
    ByteBuffer in = ByteBuffer.wrap(blob);
    String name = new String(readString(in), StandardCharsets.US_ASCII);
    try {
      switch (name) {
        case "ssh-rsa":
          {
            BigInteger e = new BigInteger(readString(in));
            BigInteger n = new BigInteger(readString(in));
            return KeyFactory.getInstance("RSA")
                .generatePublic(new java.security.spec.RSAPublicKeySpec(n, e));
          }
        case "ssh-ed25519":
          {
            byte[] raw = readString(in);
            byte[] der =
                Arrays.copyOf(ED25519_X509_PREFIX, ED25519_X509_PREFIX.length + raw.length);
            System.arraycopy(raw, 0, der, ED25519_X509_PREFIX.length, raw.length);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
          }
        case "ecdsa-sha2-nistp256":
        case "ecdsa-sha2-nistp384":
        case "ecdsa-sha2-nistp521":
          {
            String curve = new String(readString(in), StandardCharsets.US_ASCII);
            byte[] q = readString(in);
            java.security.spec.ECParameterSpec params = Curves.params(curve);
            int len = (params.getCurve().getField().getFieldSize() + 7) / 8;
            if (q.length != 1 + 2 * len || q[0] != 4) {
              throw new IllegalArgumentException("unsupported EC point encoding");
            }
            ECPoint w =
                new ECPoint(
                    new BigInteger(1, Arrays.copyOfRange(q, 1, 1 + len)),
                    new BigInteger(1, Arrays.copyOfRange(q, 1 + len, q.length)));
            return KeyFactory.getInstance("EC")
                .generatePublic(new java.security.spec.ECPublicKeySpec(w, params));
          }
        default:
          throw new IllegalArgumentException("unsupported key type " + name);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bad " + name + " public key", e);
    }
  }

  private static byte[] readString(ByteBuffer in) {
    if (in.remaining() < 4) {
      throw new IllegalArgumentException("truncated SSH key blob");
    }
    int len = in.getInt();
    if (len < 0 || len > in.remaining()) {
      throw new IllegalArgumentException("truncated SSH key blob");
    }
    byte[] out = new byte[len];
    in.get(out);
    return out;
  }

  static byte[] encodeSshBlob(PublicKey key) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      if (key instanceof RSAPublicKey) {
        RSAPublicKey rsa = (RSAPublicKey) key;
        writeString(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
        writeString(out, rsa.getPublicExponent().toByteArray());
        writeString(out, rsa.getModulus().toByteArray());
      } else if (key instanceof ECPublicKey) {
        ECPublicKey ec = (ECPublicKey) key;
        String curve = Curves.sshName(ec.getParams());
        int len = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        writeString(out, ("ecdsa-sha2-" + curve).getBytes(StandardCharsets.US_ASCII));
        writeString(out, curve.getBytes(StandardCharsets.US_ASCII));
        byte[] q = new byte[1 + 2 * len];
        q[0] = 4;
        fixed(ec.getW().getAffineX(), q, 1, len);
        fixed(ec.getW().getAffineY(), q, 1 + len, len);
        writeString(out, q);
      } else {
        byte[] der = key.getEncoded();
        writeString(out, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
        writeString(out, Arrays.copyOfRange(der, der.length - 32, der.length));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void fixed(BigInteger v, byte[] dst, int off, int len) {
    byte[] b = v.toByteArray();
    int copy = Math.min(b.length, len);
    System.arraycopy(b, b.length - copy, dst, off + len - copy, copy);
  }

  private static void writeString(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static String md5Hex(byte[] blob) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(blob);
      return HexFormat.ofDelimiter(":").formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
