package io.vminfo.manta;

import io.vminfo.manta.internal.BodyStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An object's body as it arrives, with its metadata. Reading is bounded by the request timeout; the
 * MD5 of a whole-object read is checked at the end (a mismatch is an IOException). Close it:
 * closing before the end stops the transfer.
 */
public final class MantaObjectStream extends InputStream {
  private final MantaObjectInfo info;
  private final BodyStream sink;

  MantaObjectStream(MantaObjectInfo info, BodyStream sink) {
    this.info = info;
    this.sink = sink;
  }

  public MantaObjectInfo info() {
    return info;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    return sink.read(b, off, len);
  }

  @Override
  public int available() {
    return sink.available();
  }

  @Override
  public void close() {
    sink.close();
  }
}
