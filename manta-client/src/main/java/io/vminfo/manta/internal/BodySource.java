package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A request body that is streamed, never held whole in memory (files are read in 128 KiB chunks).
 */
public abstract class BodySource {
  static final int CHUNK = 128 * 1024;

  /** Bytes, or -1 when unknown (sent with chunked transfer encoding). */
  public abstract long length();

  /** True when the body can be sent again on a retry. */
  public abstract boolean replayable();

  /**
   * A fresh input for one attempt. Caller streams are read on {@code readers}, which calls {@code
   * wakeUp} whenever it has more for the writer; files and bytes ignore both.
   */
  public abstract ChunkedInput<ByteBuf> open(Executor readers, Runnable wakeUp) throws IOException;

  /**
   * A fresh stream of the body for one attempt, read on the caller's thread (the socket transport's
   * path; the Netty path uses {@link #open}).
   */
  public abstract InputStream openBlocking() throws IOException;

  /** The whole body when it is already in memory (then it is written without copying), or null. */
  public byte[] inMemory() {
    return null;
  }

  /** Reads the body once to compute its base64 MD5, when that is possible without losing it. */
  public Optional<String> precomputeMd5() throws IOException {
    return Optional.empty();
  }

  public String describe() {
    return getClass().getSimpleName();
  }

  public static BodySource file(Path file) {
    return new FileBody(file);
  }

  public static BodySource bytes(byte[] data) {
    return new BytesBody(data);
  }

  public static BodySource stream(InputStream in, long length) {
    AtomicBoolean used = new AtomicBoolean();
    return new StreamBody(
        () -> {
          if (used.getAndSet(true)) {
            throw new IllegalStateException("stream body already consumed");
          }
          return in;
        },
        length,
        false);
  }

  public static BodySource streams(Supplier<InputStream> supplier, long length) {
    return new StreamBody(supplier, length, true);
  }

  static String md5Of(InputStream in) throws IOException {
    MessageDigest md = Md5ChunkedInput.newMd5();
    byte[] buf = new byte[CHUNK];
    int n;
    while ((n = in.read(buf)) > 0) {
      md.update(buf, 0, n);
    }
    return Base64.getEncoder().encodeToString(md.digest());
  }

  private static final class FileBody extends BodySource {
    private final Path file;
    private final long length;

    FileBody(Path file) {
      this.file = file;
      try {
        if (!Files.isRegularFile(file)) {
          throw new IllegalArgumentException("not a regular file: " + file);
        }
        this.length = Files.size(file);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public boolean replayable() {
      return true;
    }

    @Override
    public ChunkedInput<ByteBuf> open(Executor readers, Runnable wakeUp) throws IOException {
      FileChannel fc = FileChannel.open(file, StandardOpenOption.READ);
      return new ChunkedNioFile(fc, 0, length, CHUNK);
    }

    @Override
    public InputStream openBlocking() throws IOException {
      return Files.newInputStream(file);
    }

    @Override
    public Optional<String> precomputeMd5() throws IOException {
      try (InputStream in = Files.newInputStream(file)) {
        return Optional.of(md5Of(in));
      }
    }

    @Override
    public String describe() {
      return file.toString();
    }
  }

  private static final class BytesBody extends BodySource {
    private final byte[] data;

    BytesBody(byte[] data) {
      this.data = data;
    }

    @Override
    public long length() {
      return data.length;
    }

    @Override
    public boolean replayable() {
      return true;
    }

    @Override
    public ChunkedInput<ByteBuf> open(Executor readers, Runnable wakeUp) {
      return new ChunkedStream(new ByteArrayInputStream(data), CHUNK);
    }

    @Override
    public InputStream openBlocking() {
      return new ByteArrayInputStream(data);
    }

    @Override
    // Not a copy: the transport only reads it.
    public byte[] inMemory() {
      return data;
    }

    @Override
    public Optional<String> precomputeMd5() throws IOException {
      return Optional.of(md5Of(new ByteArrayInputStream(data)));
    }
  }

  private static final class StreamBody extends BodySource {
    private final Supplier<InputStream> supplier;
    private final long length;
    private final boolean replayable;

    StreamBody(Supplier<InputStream> supplier, long length, boolean replayable) {
      this.supplier = supplier;
      this.length = length;
      this.replayable = replayable;
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public boolean replayable() {
      return replayable;
    }

    @Override
    public ChunkedInput<ByteBuf> open(Executor readers, Runnable wakeUp) {
      PumpedStreamInput input = new PumpedStreamInput(supplier.get(), length, CHUNK);
      input.start(readers, wakeUp);
      return input;
    }

    @Override
    public InputStream openBlocking() {
      return supplier.get();
    }
  }
}
