package io.vminfo.usage.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * Makes an hourly {@code .log} end with a complete sample after a crash. A sample is appended as
 * its usage lines followed by its summary line in one write, so the last summary line marks the end
 * of the last complete sample; whatever follows it (a torn line, or whole lines of a sample whose
 * write was cut short) was never acknowledged and is cut off. The sampler then takes that sample
 * again, so nothing that was written completely is lost and nothing is written twice.
 */
public final class TailRepair {
  private static final int MAX_SUMMARY_LINE = 4096;

  private TailRepair() {}

  /** What the repair kept and cut. */
  public record Result(long keptBytes, long cutBytes, Optional<Instant> lastSample) {}

  public static Result repair(Path log, FileChannels io) throws IOException {
    try (FileChannel ch = io.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      Backward scan = new Backward(ch);
      long cut = 0;
      Optional<Instant> last = Optional.empty();
      long lineEnd = scan.previousNewline(size);
      while (lineEnd >= 0) {
        long lineStart = scan.previousNewline(lineEnd) + 1;
        long length = lineEnd - lineStart;
        if (length <= MAX_SUMMARY_LINE) {
          byte[] line = new byte[(int) length];
          ByteBuffer bb = ByteBuffer.wrap(line);
          long at = lineStart;
          while (bb.hasRemaining()) {
            int n = ch.read(bb, at);
            if (n < 0) {
              throw new IOException("file shrank while being repaired: " + log);
            }
            at += n;
          }
          Optional<Instant> ts = RecordCodec.summaryTimestamp(line, 0, line.length);
          if (ts.isPresent()) {
            cut = lineEnd + 1;
            last = ts;
            break;
          }
        }
        lineEnd = lineStart - 1;
      }
      if (cut < size) {
        ch.truncate(cut);
        ch.force(true);
      }
      return new Result(cut, size - cut, last);
    }
  }

  /** Finds newlines backwards through a file, one 64 KiB window at a time. */
  private static final class Backward {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private long bufStart = -1;
    private int bufLen;

    Backward(FileChannel ch) {
      this.ch = ch;
    }

    /** The position of the last '\n' before {@code end}, or -1. */
    long previousNewline(long end) throws IOException {
      long p = end - 1;
      while (p >= 0) {
        if (bufStart < 0 || p < bufStart || p >= bufStart + bufLen) {
          fill(p);
        }
        int i = (int) (p - bufStart);
        byte[] a = buf.array();
        for (; i >= 0; i--) {
          if (a[i] == '\n') {
            return bufStart + i;
          }
        }
        p = bufStart - 1;
      }
      return -1;
    }

    private void fill(long last) throws IOException {
      long start = Math.max(0, last + 1 - buf.capacity());
      buf.clear();
      buf.limit((int) (last + 1 - start));
      long at = start;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, at);
        if (n < 0) {
          break;
        }
        at += n;
      }
      bufStart = start;
      bufLen = buf.position();
    }
  }
}
