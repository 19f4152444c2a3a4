package io.vminfo.manta.internal;

import io.vminfo.manta.MantaKeyException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads private keys: PEM PKCS#1 ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}), PKCS#8
 * ({@code PRIVATE KEY}) and the OpenSSH format ({@code OPENSSH PRIVATE KEY}), for RSA, ECDSA
 * P-256/384/521 and Ed25519. Encrypted keys are refused with the command that fixes them.
 */
public final class PrivateKeyParser {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String OID_RSA = "1.2.840.113549.1.1.1";
  private static final String OID_EC = "1.2.840.10045.2.1";
  private static final String OID_ED25519 = "1.3.101.112";

  private PrivateKeyParser() {}

  /**
   * @param source names the key in error messages (a file name), never its content
   */
  public static KeyPair parse(String text, String source) {
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String label = m.group(1);
      String body = m.group(2);
      switch (label) {
        case "EC PARAMETERS":
          continue;
        case "ENCRYPTED PRIVATE KEY":
          throw encrypted(source);
        case "RSA PRIVATE KEY":
        case "EC PRIVATE KEY":
        case "DSA PRIVATE KEY":
          if (body.contains("Proc-Type: 4,ENCRYPTED")) {
            throw encrypted(source);
          }
          if (label.startsWith("DSA")) {
            throw new MantaKeyException(
                "DSA keys are not supported (" + source + "): use RSA, ECDSA or Ed25519");
          }
          return label.startsWith("RSA")
              ? pkcs1(base64(body, source))
              : sec1(base64(body, source), source);
        case "PRIVATE KEY":
          return pkcs8(base64(body, source), source);
        case "OPENSSH PRIVATE KEY":
          return openssh(base64(body, source), source);
        default:
          throw new MantaKeyException("unsupported key block \"" + label + "\" in " + source);
      }
    }
    throw new MantaKeyException(source + " is not a PEM or OpenSSH private key");
  }

  static MantaKeyException encrypted(String source) {
    return new MantaKeyException(
        "private key "
            + source
            + " is encrypted (has a passphrase), which the client "
            + "cannot read: load it into ssh-agent with `ssh-add "
            + source
            + "` (the client signs through "
            + "SSH_AUTH_SOCK), or write an unencrypted copy with `ssh-keygen -p -N '' -f COPY_OF_KEY` and point "
            + "MANTA_KEY_PATH at the copy");
  }

  private static byte[] base64(String body, String source) {
    StringBuilder b = new StringBuilder();
    for (String line : body.split("\\r?\\n")) {
      if (!line.contains(":")) {
        b.append(line.trim());
      }
    }
    try {
      return Base64.getDecoder().decode(b.toString());
    } catch (IllegalArgumentException e) {
      throw new MantaKeyException(source + " has invalid base64 in its key block", e);
    }
  }

  private static KeyPair pkcs1(byte[] der) {
    try {
      Der seq = new Der(der).read(Der.SEQUENCE);
      seq.integer();
      BigInteger n = seq.integer();
      BigInteger e = seq.integer();
      BigInteger d = seq.integer();
      BigInteger p = seq.integer();
      BigInteger q = seq.integer();
      BigInteger dp = seq.integer();
      BigInteger dq = seq.integer();
      BigInteger qinv = seq.integer();
      return rsa(n, e, d, p, q, dp, dq, qinv);
    } catch (IllegalArgumentException ex) {
      throw new MantaKeyException("malformed RSA private key: " + ex.getMessage(), ex);
    }
  }

  private static KeyPair rsa(
      BigInteger n,
      BigInteger e,
      BigInteger d,
      BigInteger p,
      BigInteger q,
      BigInteger dp,
      BigInteger dq,
      BigInteger qinv) {
    try {
      KeyFactory kf = KeyFactory.getInstance("RSA");
      PrivateKey priv = kf.generatePrivate(new RSAPrivateCrtKeySpec(n, e, d, p, q, dp, dq, qinv));
      PublicKey pub = kf.generatePublic(new RSAPublicKeySpec(n, e));
      return new KeyPair(pub, priv);
    } catch (GeneralSecurityException ex) {
      throw new MantaKeyException("unusable RSA key: " + ex.getMessage(), ex);
    }
  }

  private static KeyPair sec1(byte[] der, String source) {
    return sec1(der, null, source);
  }

  /**
   * SEC1 ECPrivateKey; {@code outerParams} come from a PKCS#8 wrapper when the inner one has none.
   */
  private static KeyPair sec1(byte[] der, ECParameterSpec outerParams, String source) {
    try {
      Der seq = new Der(der).read(Der.SEQUENCE);
      seq.integer();
      BigInteger s = new BigInteger(1, seq.octets());
      ECParameterSpec spec = outerParams;
      byte[] point = null;
      while (seq.hasMore()) {
        int tag = seq.peekTag();
        if (tag == 0xa0) {
          spec = EcCurves.byOid(seq.read(0xa0).oid());
        } else if (tag == 0xa1) {
          point = seq.read(0xa1).bits();
        } else {
          seq.skip();
        }
      }
      if (spec == null) {
        throw new MantaKeyException("EC private key " + source + " does not name its curve");
      }
      return ec(s, point, spec);
    } catch (IllegalArgumentException ex) {
      throw new MantaKeyException(
          "malformed EC private key " + source + ": " + ex.getMessage(), ex);
    }
  }

  private static KeyPair ec(BigInteger s, byte[] point, ECParameterSpec spec) {
    try {
      KeyFactory kf = KeyFactory.getInstance("EC");
      PrivateKey priv = kf.generatePrivate(new ECPrivateKeySpec(s, spec));
      java.security.spec.ECPoint w =
          point != null ? EcCurves.decodePoint(point, spec) : EcCurves.multiplyGenerator(s, spec);
      PublicKey pub = kf.generatePublic(new ECPublicKeySpec(w, spec));
      return new KeyPair(pub, priv);
    } catch (GeneralSecurityException ex) {
      throw new MantaKeyException("unusable EC key: " + ex.getMessage(), ex);
    }
  }

  private static KeyPair pkcs8(byte[] der, String source) {
    try {
      Der seq = new Der(der).read(Der.SEQUENCE);
      seq.integer();
      Der alg = seq.read(Der.SEQUENCE);
      String oid = alg.oid();
      byte[] inner = seq.octets();
      switch (oid) {
        case OID_RSA:
          {
            RSAPrivateCrtKey k =
                (RSAPrivateCrtKey)
                    KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            PublicKey pub =
                KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
            return new KeyPair(pub, k);
          }
        case OID_EC:
          {
            ECParameterSpec spec =
                alg.hasMore() && alg.peekTag() == Der.OID ? EcCurves.byOid(alg.oid()) : null;
            return sec1(inner, spec, source);
          }
        case OID_ED25519:
          {
            byte[] seed = new Der(inner).octets();
            return ed25519(seed);
          }
        default:
          throw new MantaKeyException("unsupported private key algorithm " + oid + " in " + source);
      }
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException ex) {
      throw new MantaKeyException(
          "malformed PKCS#8 private key " + source + ": " + ex.getMessage(), ex);
    }
  }

  /**
   * An Ed25519 key pair from its 32-byte seed. The JDK derives the public key only when generating,
   * so the generator is fed the seed as its "random" bytes.
   */
  static KeyPair ed25519(byte[] seed) throws GeneralSecurityException {
    if (seed.length != 32) {
      throw new MantaKeyException("Ed25519 private keys are 32 bytes, got " + seed.length);
    }
    byte[] copy = seed.clone();
    SecureRandom fixed =
        new SecureRandom() {
          private static final long serialVersionUID = 1L;

          @Override
          public void nextBytes(byte[] bytes) {
            System.arraycopy(copy, 0, bytes, 0, Math.min(copy.length, bytes.length));
          }
        };
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    g.initialize(NamedParameterSpec.ED25519, fixed);
    KeyPair pair = g.generateKeyPair();
    Arrays.fill(copy, (byte) 0);
    return pair;
  }

  private static KeyPair openssh(byte[] data, String source) {
    byte[] magic = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    if (data.length < magic.length || !Arrays.equals(Arrays.copyOf(data, magic.length), magic)) {
      throw new MantaKeyException(source + " is not an OpenSSH private key (bad magic)");
    }
    try {
      SshWire in = new SshWire(Arrays.copyOfRange(data, magic.length, data.length));
      String cipher = in.string();
      in.string(); // kdf name
      in.bytes(); // kdf options
      if (!cipher.equals("none")) {
        throw encrypted(source);
      }
      int count = in.uint32();
      if (count != 1) {
        throw new MantaKeyException(source + " holds " + count + " keys; exactly one is supported");
      }
      in.bytes(); // public key blob, repeated in the private section
      SshWire priv = new SshWire(in.bytes());
      int check1 = priv.uint32();
      int check2 = priv.uint32();
      if (check1 != check2) {
        throw new MantaKeyException(source + " is corrupt (check integers differ)");
      }
      String type = priv.string();
      switch (type) {
        case "ssh-rsa":
          {
            BigInteger n = priv.mpint();
            BigInteger e = priv.mpint();
            BigInteger d = priv.mpint();
            BigInteger iqmp = priv.mpint();
            BigInteger p = priv.mpint();
            BigInteger q = priv.mpint();
            return rsa(
                n,
                e,
                d,
                p,
                q,
                d.mod(p.subtract(BigInteger.ONE)),
                d.mod(q.subtract(BigInteger.ONE)),
                iqmp);
          }
        case "ecdsa-sha2-nistp256":
        case "ecdsa-sha2-nistp384":
        case "ecdsa-sha2-nistp521":
          {
            ECParameterSpec spec = EcCurves.bySshName(priv.string());
            byte[] q = priv.bytes();
            BigInteger s = priv.mpint();
            return ec(s, q, spec);
          }
        case "ssh-ed25519":
          {
            priv.bytes(); // public
            byte[] secret = priv.bytes(); // seed || public
            return ed25519(Arrays.copyOf(secret, 32));
          }
        default:
          throw new MantaKeyException(
              "unsupported key type " + type + " in " + source + ": use RSA, ECDSA or Ed25519");
      }
    } catch (GeneralSecurityException | IllegalArgumentException ex) {
      throw new MantaKeyException(
          "malformed OpenSSH private key " + source + ": " + ex.getMessage(), ex);
    }
  }

  /** For tests and callers that hold a Java key: the matching http-signature family. */
  public static String family(PrivateKey key) {
    if (key instanceof RSAPrivateCrtKey || key.getAlgorithm().equals("RSA")) {
      return "rsa";
    }
    if (key instanceof ECPrivateKey) {
      return "ecdsa";
    }
    return "ed25519";
  }
}
