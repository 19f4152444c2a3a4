package io.vminfo.usage.testing;

import io.vminfo.usage.internal.FileChannels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk for tests. It can run out of space: writes succeed until {@link #freeBytes} is used up;
 * the write that crosses it puts the bytes that fit on disk (as a real short write would) and then
 * fails with "No space left on device", as do later ones until space is given back. It can be slow:
 * {@link #slowWrites} splits every write into small chunks with a pause between them, which widens
 * the window in which a killed process leaves a half-written file.
 */
public final class TestDisk implements FileChannels {
  private final AtomicLong free = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong failures = new AtomicLong();
  private volatile int chunk = Integer.MAX_VALUE;
  private volatile long pauseNanos;
  private volatile boolean readOnly;

  /** Every write goes to the file {@code chunk} bytes at a time, {@code pauseNanos} apart. */
  public TestDisk slowWrites(int chunk, long pauseNanos) {
    this.chunk = chunk;
    this.pauseNanos = pauseNanos;
    return this;
  }

  /** Bytes that can still be written. */
  public void freeBytes(long bytes) {
    free.set(bytes);
  }

  public void unlimited() {
    free.set(Long.MAX_VALUE);
  }

  /** Writes fail as on a file system the kernel turned read-only (EROFS) while on. */
  public void readOnly(boolean on) {
    readOnly = on;
  }

  public long failures() {
    return failures.get();
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    return new Channel(FileChannels.DEFAULT.open(path, options));
  }

  private final class Channel extends FileChannel {
    private final FileChannel d;

    Channel(FileChannel d) {
      this.d = d;
    }

    private int limited(ByteBuffer src, IoWrite w) throws IOException {
      if (src.remaining() > chunk) {
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + chunk);
        int n = limited(part, w);
        src.position(src.position() + n);
        java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
        return n;
      }
      if (readOnly) {
        failures.incrementAndGet();
        throw new java.nio.file.FileSystemException("spool file", null, "Read-only file system");
      }
      long budget = free.get();
      int want = src.remaining();
      if (budget >= want) {
        int n = w.write(src);
        free.addAndGet(-n);
        return n;
      }
      if (budget > 0) {
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + (int) budget);
        int n = w.write(part);
        src.position(src.position() + n);
        free.addAndGet(-n);
      }
      failures.incrementAndGet();
      throw new IOException("No space left on device");
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return limited(src, d::write);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return limited(src, b -> d.write(b, position));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        n += write(srcs[i]);
      }
      return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return d.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return d.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return d.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return d.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      d.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return d.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      d.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      d.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return d.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      throw new UnsupportedOperationException("not used by the spool");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("not used by the spool");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return d.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return d.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      d.close();
    }
  }

  @FunctionalInterface
  private interface IoWrite {
    int write(ByteBuffer b) throws IOException;
  }
}
