package io.vminfo.manta.internal;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A minimal DER reader: just enough ASN.1 for private key files (SEQUENCE, INTEGER, OCTET/BIT
 * STRING, OID, tags).
 */
public final class Der {
  public static final int SEQUENCE = 0x30;
  public static final int INTEGER = 0x02;
  public static final int OCTET_STRING = 0x04;
  public static final int BIT_STRING = 0x03;
  public static final int OID = 0x06;
  public static final int NULL = 0x05;

  private final byte[] data;
  private int pos;
  private final int end;

  public Der(byte[] data) {
    this(data, 0, data.length);
  }

  private Der(byte[] data, int start, int end) {
    this.data = data;
    this.pos = start;
    this.end = end;
  }

  public boolean hasMore() {
    return pos < end;
  }

  public int peekTag() {
    need(1);
    return data[pos] & 0xff;
  }

  /** Reads one element with the given tag and returns a reader over its contents. */
  public Der read(int tag) {
    int t = peekTag();
    if (t != tag) {
      throw new IllegalArgumentException(
          String.format("malformed key: expected DER tag 0x%02x, got 0x%02x", tag, t));
    }
    pos++;
    int len = readLength();
    need(len);
    Der inner = new Der(data, pos, pos + len);
    pos += len;
    return inner;
  }

  public BigInteger integer() {
    Der d = read(INTEGER);
    return new BigInteger(d.rest());
  }

  public byte[] octets() {
    return read(OCTET_STRING).rest();
  }

  /** The bits of a BIT STRING with no unused bits. */
  public byte[] bits() {
    byte[] b = read(BIT_STRING).rest();
    if (b.length == 0 || b[0] != 0) {
      throw new IllegalArgumentException("malformed key: unsupported BIT STRING");
    }
    return Arrays.copyOfRange(b, 1, b.length);
  }

  public String oid() {
    byte[] b = read(OID).rest();
    StringBuilder out = new StringBuilder();
    long value = 0;
    for (int i = 0; i < b.length; i++) {
      value = (value << 7) | (b[i] & 0x7f);
      if ((b[i] & 0x80) == 0) {
        if (out.length() == 0) {
          long first = Math.min(value / 40, 2);
          out.append(first).append('.').append(value - first * 40);
        } else {
          out.append('.').append(value);
        }
        value = 0;
      }
    }
    return out.toString();
  }

  public void skip() {
    pos++;
    int len = readLength();
    need(len);
    pos += len;
  }

  public byte[] rest() {
    byte[] out = Arrays.copyOfRange(data, pos, end);
    pos = end;
    return out;
  }

  private int readLength() {
    need(1);
    int first = data[pos++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = first & 0x7f;
    if (n == 0 || n > 3) {
      throw new IllegalArgumentException("malformed key: unsupported DER length");
    }
    need(n);
    int len = 0;
    for (int i = 0; i < n; i++) {
      len = (len << 8) | (data[pos++] & 0xff);
    }
    return len;
  }

  private void need(int n) {
    if (n < 0 || pos + n > end) {
      throw new IllegalArgumentException("malformed key: truncated DER data");
    }
  }

  /** Encodes an ECDSA (r, s) pair as the DER SEQUENCE http-signature expects. */
  public static byte[] ecdsaSignature(BigInteger r, BigInteger s) {
    byte[] rb = r.toByteArray();
    byte[] sb = s.toByteArray();
    byte[] body = new byte[2 + rb.length + 2 + sb.length + 8];
    int p = 0;
    p = putElement(body, p, INTEGER, rb);
    p = putElement(body, p, INTEGER, sb);
    byte[] seq = new byte[p + 4];
    int q = putElement(seq, 0, SEQUENCE, Arrays.copyOf(body, p));
    return Arrays.copyOf(seq, q);
  }

  private static int putElement(byte[] out, int p, int tag, byte[] value) {
    out[p++] = (byte) tag;
    if (value.length < 0x80) {
      out[p++] = (byte) value.length;
    } else {
      out[p++] = (byte) 0x81;
      out[p++] = (byte) value.length;
    }
    System.arraycopy(value, 0, out, p, value.length);
    return p + value.length;
  }
}
