package io.vminfo.manta.internal;

import java.io.IOException;

/** An object's body as its reader pulls it: what a {@code MantaObjectStream} reads. */
public interface BodyStream {
  /** Reads like {@link java.io.InputStream#read(byte[], int, int)}. */
  int read(byte[] b, int off, int len) throws IOException;

  /** Bytes readable without blocking (an estimate). */
  int available();

  /** Ends the transfer; before the end of the body its connection is not reused. */
  void close();
}
