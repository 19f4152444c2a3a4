package io.vminfo.core.client.internal;

import io.vminfo.core.FeedFormatException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into {@code \n}-terminated lines (without the newline), refusing any line
 * longer than a limit so a broken or hostile server cannot make the client buffer without end. Not
 * thread-safe.
 */
public final class LineSplitter {
  private final int maxLineBytes;
  private byte[] buf = new byte[8192];
  private int len;

  public LineSplitter(int maxLineBytes) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be >= 1");
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** Consumes {@code data}, passing each completed line to {@code sink}. */
  public void feed(ByteBuffer data, Consumer<byte[]> sink) {
    while (data.hasRemaining()) {
      byte b = data.get();
      if (b == '\n') {
        int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
        byte[] line = Arrays.copyOf(buf, end);
        len = 0;
        if (buf.length > 1 << 20) {
          buf = new byte[8192]; // do not keep a huge buffer after one big ready line
        }
        if (line.length > 0) {
          sink.accept(line);
        }
        continue;
      }
      if (len == maxLineBytes) {
        throw new FeedFormatException("feed line longer than " + maxLineBytes + " bytes");
      }
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, maxLineBytes));
      }
      buf[len++] = b;
    }
  }

  /** Bytes of an unfinished line. */
  public int pending() {
    return len;
  }
}
