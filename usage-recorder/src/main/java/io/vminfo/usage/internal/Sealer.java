package io.vminfo.usage.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Base64;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Seals an hourly {@code .log}: gzip into a temp file, force it, record its MD5 beside it, rename
 * it to {@code .log.gz}, force the directory, delete the {@code .log}. The gzip is deterministic
 * (fixed level, no name, mtime 0, OS "unknown"), so sealing the same {@code .log} again gives the
 * same bytes and the same MD5: after a crash anywhere in here, sealing again is always safe.
 *
 * <p>Lines that are not records (bit rot in the middle of a file) are not compressed but appended
 * to a file under {@code corrupt/}, and counted.
 */
public final class Sealer {
  /** Fixed forever: changing it changes the bytes, and so the MD5, of a re-sealed file. */
  public static final int COMPRESSION_LEVEL = 6;

  private static final byte[] RECORD_PREFIX =
      RecordCodec.RECORD_PREFIX.getBytes(StandardCharsets.US_ASCII);

  private final SpoolLayout layout;
  private final FileChannels io;

  public Sealer(SpoolLayout layout, FileChannels io) {
    this.layout = layout;
    this.io = io;
  }

  /** The outcome of one sealing. */
  public record Result(
      long logBytes,
      long gzBytes,
      long md5FileBytes,
      String md5Base64,
      long badLines,
      long badBytes,
      Path badLinesFile) {}

  public Result seal(SegmentKey key) throws IOException {
    Path log = layout.log(key);
    Path gz = layout.gz(key);
    Path tmp = SpoolLayout.tempFor(gz);
    Path badFile =
        layout.corruptDir().resolve(layout.relative(log).replace('/', '-') + ".bad-lines");
    LineSorter lines = new LineSorter(badFile);
    MessageDigest md5 = Md5.newDigest();
    long logBytes;
    try {
      try (FileChannel ch =
          io.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        // The gzip stream must be closed exactly once (closing finishes it; finishing twice writes
        // a second trailer), but the channel must stay open to be forced afterwards.
        OutputStream file =
            new BufferedOutputStream(new KeepOpen(Channels.newOutputStream(ch)), 256 * 1024);
        try (InputStream in = Files.newInputStream(log);
            GzipCompressorOutputStream gzip =
                new GzipCompressorOutputStream(new DigestOutputStream(file, md5), parameters())) {
          logBytes = lines.copy(in, gzip);
        }
        ch.force(true);
      }
      String md5Base64 = Base64.getEncoder().encodeToString(md5.digest());
      byte[] sidecar = (md5Base64 + "\n").getBytes(StandardCharsets.US_ASCII);
      Durable.replaceFile(layout.md5(key), sidecar, io);
      Durable.moveAtomically(tmp, gz);
      Durable.fsyncDirectory(gz.getParent());
      lines.close();
      Durable.delete(log);
      return new Result(
          logBytes,
          Files.size(gz),
          sidecar.length,
          md5Base64,
          lines.badLines,
          lines.badBytes,
          badFile);
    } catch (IOException | RuntimeException e) {
      lines.closeQuietly();
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  static GzipParameters parameters() {
    GzipParameters p = new GzipParameters();
    p.setCompressionLevel(COMPRESSION_LEVEL);
    p.setModificationTime(0);
    p.setOS(GzipParameters.OS.UNKNOWN);
    p.setBufferSize(64 * 1024);
    return p;
  }

  /** Copies record lines to the gzip stream and anything else to the bad-lines file. */
  private final class LineSorter {
    private final Path badFile;
    private OutputStream bad;
    long badLines;
    long badBytes;
    private byte[] carry = new byte[8192];
    private int carryLen;

    LineSorter(Path badFile) {
      this.badFile = badFile;
    }

    long copy(InputStream in, OutputStream good) throws IOException {
      byte[] buf = new byte[1 << 20];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] != '\n') {
            continue;
          }
          if (carryLen > 0) {
            append(buf, start, i + 1 - start);
            line(carry, 0, carryLen, good);
            carryLen = 0;
          } else {
            line(buf, start, i + 1 - start, good);
          }
          start = i + 1;
        }
        if (start < n) {
          append(buf, start, n - start);
        }
      }
      if (carryLen > 0) {
        // A last line without its newline: never a complete record.
        badLine(carry, 0, carryLen);
        carryLen = 0;
      }
      return total;
    }

    private void line(byte[] a, int off, int len, OutputStream good) throws IOException {
      if (isRecord(a, off, len)) {
        good.write(a, off, len);
      } else {
        badLine(a, off, len);
      }
    }

    private void append(byte[] a, int off, int len) {
      if (carryLen + len > carry.length) {
        carry = java.util.Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + len));
      }
      System.arraycopy(a, off, carry, carryLen, len);
      carryLen += len;
    }

    private void badLine(byte[] a, int off, int len) throws IOException {
      if (bad == null) {
        Durable.createDirectories(badFile.getParent());
        FileChannel ch =
            io.open(
                badFile,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        bad = Channels.newOutputStream(ch);
      }
      bad.write(a, off, len);
      badLines++;
      badBytes += len;
    }

    void close() throws IOException {
      if (bad != null) {
        bad.flush();
        bad.close();
        bad = null;
      }
    }

    void closeQuietly() {
      try {
        close();
      } catch (IOException ignored) {
        // Already failing; the caller reports the first error.
      }
    }
  }

  /** Passes everything through but never closes what it wraps (flushes instead). */
  private static final class KeepOpen extends java.io.FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

  /** A record line: {@code {"v":1,"type":"} ... {@code }} and a newline, with no NUL byte. */
  static boolean isRecord(byte[] a, int off, int len) {
    if (len < RECORD_PREFIX.length + 2 || a[off + len - 1] != '\n' || a[off + len - 2] != '}') {
      return false;
    }
    for (int i = 0; i < RECORD_PREFIX.length; i++) {
      if (a[off + i] != RECORD_PREFIX[i]) {
        return false;
      }
    }
    for (int i = off; i < off + len; i++) {
      if (a[i] == 0) {
        return false;
      }
    }
    return true;
  }
}
