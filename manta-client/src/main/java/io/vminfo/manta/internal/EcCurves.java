package io.vminfo.manta.internal;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;

/**
 * The NIST prime curves of SSH keys, by SSH name, OID and field size; and public point derivation.
 */
public final class EcCurves {
  private EcCurves() {}

  public static ECParameterSpec bySshName(String name) {
    switch (name) {
      case "nistp256":
        return named("secp256r1");
      case "nistp384":
        return named("secp384r1");
      case "nistp521":
        return named("secp521r1");
      default:
        throw new IllegalArgumentException("unsupported EC curve " + name);
    }
  }

  public static ECParameterSpec byOid(String oid) {
    switch (oid) {
      case "1.2.840.10045.3.1.7":
        return named("secp256r1");
      case "1.3.132.0.34":
        return named("secp384r1");
      case "1.3.132.0.35":
        return named("secp521r1");
      default:
        throw new IllegalArgumentException("unsupported EC curve OID " + oid);
    }
  }

  public static String sshName(ECParameterSpec spec) {
    switch (spec.getCurve().getField().getFieldSize()) {
      case 256:
        return "nistp256";
      case 384:
        return "nistp384";
      case 521:
        return "nistp521";
      default:
        throw new IllegalArgumentException(
            "unsupported EC curve of " + spec.getCurve().getField().getFieldSize() + " bits");
    }
  }

  /**
   * The http-signature hash for a curve: SHA-256 for P-256, SHA-512 for P-384 and P-521. Not
   * SHA-384 for P-384 (the SSH pairing): http-signature, which Manta verifies with, accepts only
   * sha1, sha256 and sha512, so ecdsa-sha384 is refused (node-manta 5.4.2 trips on exactly that).
   */
  public static String hashFor(ECParameterSpec spec) {
    return spec.getCurve().getField().getFieldSize() <= 256 ? "sha256" : "sha512";
  }

  public static int byteLength(ECParameterSpec spec) {
    return (spec.getCurve().getField().getFieldSize() + 7) / 8;
  }

  public static byte[] encodePoint(ECPoint w, ECParameterSpec spec) {
    int len = byteLength(spec);
    byte[] q = new byte[1 + 2 * len];
    q[0] = 4;
    copyFixed(w.getAffineX(), q, 1, len);
    copyFixed(w.getAffineY(), q, 1 + len, len);
    return q;
  }

  public static ECPoint decodePoint(byte[] q, ECParameterSpec spec) {
    int len = byteLength(spec);
    if (q.length != 1 + 2 * len || q[0] != 4) {
      throw new IllegalArgumentException(
          "unsupported EC point encoding (only uncompressed points)");
    }
    byte[] x = new byte[len];
    byte[] y = new byte[len];
    System.arraycopy(q, 1, x, 0, len);
    System.arraycopy(q, 1 + len, y, 0, len);
    return new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
  }

  /**
   * Computes the public point d*G, for key files that carry only the private scalar. Plain
   * double-and-add in affine coordinates: slow but run once per key load, and never on secrets an
   * attacker can time (it runs at startup).
   */
  public static ECPoint multiplyGenerator(BigInteger d, ECParameterSpec spec) {
    BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
    BigInteger a = spec.getCurve().getA();
    ECPoint result = ECPoint.POINT_INFINITY;
    ECPoint addend = spec.getGenerator();
    for (int i = 0; i < d.bitLength(); i++) {
      if (d.testBit(i)) {
        result = add(result, addend, p, a);
      }
      addend = add(addend, addend, p, a);
    }
    return result;
  }

  private static ECPoint add(ECPoint p1, ECPoint p2, BigInteger p, BigInteger a) {
    if (p1.equals(ECPoint.POINT_INFINITY)) {
      return p2;
    }
    if (p2.equals(ECPoint.POINT_INFINITY)) {
      return p1;
    }
    BigInteger x1 = p1.getAffineX();
    BigInteger y1 = p1.getAffineY();
    BigInteger x2 = p2.getAffineX();
    BigInteger y2 = p2.getAffineY();
    BigInteger lambda;
    if (x1.equals(x2)) {
      if (!y1.equals(y2) || y1.signum() == 0) {
        return ECPoint.POINT_INFINITY;
      }
      lambda =
          x1.pow(2)
              .multiply(BigInteger.valueOf(3))
              .add(a)
              .multiply(y1.shiftLeft(1).modInverse(p))
              .mod(p);
    } else {
      lambda = y2.subtract(y1).multiply(x2.subtract(x1).modInverse(p)).mod(p);
    }
    BigInteger x3 = lambda.pow(2).subtract(x1).subtract(x2).mod(p);
    BigInteger y3 = lambda.multiply(x1.subtract(x3)).subtract(y1).mod(p);
    return new ECPoint(x3, y3);
  }

  private static ECParameterSpec named(String std) {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(std));
      return params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks curve " + std, e);
    }
  }

  private static void copyFixed(BigInteger v, byte[] dst, int off, int len) {
    byte[] b = v.toByteArray();
    int n = Math.min(b.length, len);
    System.arraycopy(b, b.length - n, dst, off + len - n, n);
  }
}
