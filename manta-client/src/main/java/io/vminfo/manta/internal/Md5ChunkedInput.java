package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Passes a body through while computing its MD5 and counting bytes, so the client can check Manta's
 * {@code Computed-MD5} without a second read. Remembers local read failures, which are not the
 * connection's fault and must not be retried as if they were.
 */
final class Md5ChunkedInput implements ChunkedInput<ByteBuf> {
  private final ChunkedInput<ByteBuf> in;
  private final MessageDigest md5 = newMd5();
  private final Runnable onProgress;
  private long bytes;
  private volatile Throwable localFailure;

  Md5ChunkedInput(ChunkedInput<ByteBuf> in, Runnable onProgress) {
    this.in = in;
    this.onProgress = onProgress;
  }

  static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  long bytes() {
    return bytes;
  }

  String md5() {
    return Base64.getEncoder().encodeToString(md5.digest());
  }

  Throwable localFailure() {
    return localFailure;
  }

  @Override
  public boolean isEndOfInput() throws Exception {
    try {
      return in.isEndOfInput();
    } catch (Exception e) {
      localFailure = e;
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    in.close();
  }

  @Deprecated
  @Override
  public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
    return readChunk(ctx.alloc());
  }

  @Override
  public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
    ByteBuf b;
    try {
      b = in.readChunk(allocator);
    } catch (Exception e) {
      localFailure = e;
      throw e;
    }
    if (b != null && !b.isReadable() && !in.isEndOfInput()) {
      b.release();
      localFailure = new java.io.IOException("the body ended early (file shrank while uploading?)");
      throw (Exception) localFailure;
    }
    if (b != null) {
      for (ByteBuffer nio : b.nioBuffers()) {
        md5.update(nio);
      }
      bytes += b.readableBytes();
      onProgress.run();
    }
    return b;
  }

  @Override
  public long length() {
    return in.length();
  }

  @Override
  public long progress() {
    return bytes;
  }
}
