package io.vminfo.manta.internal;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** SSH wire format (RFC 4251 section 5): uint32, string, mpint. */
public final class SshWire {
  private final ByteBuffer in;

  public SshWire(byte[] data) {
    this.in = ByteBuffer.wrap(data);
  }

  public boolean hasMore() {
    return in.hasRemaining();
  }

  public int uint32() {
    if (in.remaining() < 4) {
      throw new IllegalArgumentException("malformed SSH data: truncated");
    }
    return in.getInt();
  }

  public byte byte1() {
    if (!in.hasRemaining()) {
      throw new IllegalArgumentException("malformed SSH data: truncated");
    }
    return in.get();
  }

  public byte[] bytes() {
    int len = uint32();
    if (len < 0 || len > in.remaining()) {
      throw new IllegalArgumentException("malformed SSH data: bad length " + len);
    }
    byte[] b = new byte[len];
    in.get(b);
    return b;
  }

  public String string() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }

  public BigInteger mpint() {
    return new BigInteger(bytes());
  }

  /** Builds SSH wire data. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Writer uint32(int v) {
      out.write(v >>> 24);
      out.write(v >>> 16);
      out.write(v >>> 8);
      out.write(v);
      return this;
    }

    public Writer byte1(int v) {
      out.write(v);
      return this;
    }

    public Writer bytes(byte[] b) {
      uint32(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    public Writer string(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public Writer mpint(BigInteger v) {
      return bytes(v.toByteArray());
    }

    public byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
