package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A caller's {@link InputStream} read on a body-reader thread, never on the I/O thread: a slow or
 * blocking stream (a pipe, a socket, a decompressor) must not stall every other connection of the
 * event loop. Chunks go through a small bounded queue; when it is empty {@link #readChunk} returns
 * null and the reader calls {@code wakeUp} (ChunkedWriteHandler.resumeTransfer) when it has more.
 */
final class PumpedStreamInput implements ChunkedInput<ByteBuf> {
  private static final byte[] END = new byte[0];
  private static final int QUEUED_CHUNKS = 4;

  private final InputStream in;
  private final long declaredLength;
  private final int chunkSize;
  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS + 1);
  private volatile Runnable wakeUp = () -> {};
  private volatile IOException failure;
  private final Object readerLock = new Object();
  private volatile boolean closed;
  private Thread
      reader; // guarded by readerLock, so close() never interrupts a thread reused for other work
  private boolean ended;
  private long sent;

  /**
   * @param declaredLength bytes promised in Content-Length, or -1 (chunked)
   */
  PumpedStreamInput(InputStream in, long declaredLength, int chunkSize) {
    this.in = in;
    this.declaredLength = declaredLength;
    this.chunkSize = chunkSize;
  }

  /**
   * Starts reading on {@code readers}; {@code wakeUp} is called from the reader after each chunk.
   */
  void start(Executor readers, Runnable wakeUp) {
    this.wakeUp = wakeUp;
    try {
      readers.execute(this::pump);
    } catch (RejectedExecutionException e) {
      failure = new IOException("the client is closed", e);
      closeStream();
    }
  }

  private void pump() {
    synchronized (readerLock) {
      if (closed) {
        closeStream();
        return;
      }
      reader = Thread.currentThread();
    }
    try {
      long read = 0;
      while (!closed) {
        int want =
            declaredLength < 0 ? chunkSize : (int) Math.min(chunkSize, declaredLength - read);
        if (want == 0) {
          enqueue(END);
          return;
        }
        byte[] buf = new byte[want];
        int n = in.readNBytes(buf, 0, want);
        if (n == 0) {
          if (declaredLength >= 0) {
            throw new IOException(
                "stream ended after " + read + " of " + declaredLength + " declared bytes");
          }
          enqueue(END);
          return;
        }
        read += n;
        enqueue(n == want ? buf : java.util.Arrays.copyOf(buf, n));
        if (n < want) {
          if (declaredLength >= 0) {
            throw new IOException(
                "stream ended after " + read + " of " + declaredLength + " declared bytes");
          }
          enqueue(END);
          return;
        }
      }
    } catch (IOException e) {
      failure = e;
    } catch (InterruptedException e) {
      failure = new IOException("reading the body was interrupted", e);
    } catch (RuntimeException e) {
      failure = new IOException("the body stream failed: " + e, e);
    } finally {
      synchronized (readerLock) {
        reader = null;
      }
      Thread.interrupted(); // an interrupt from close() must not outlive this task
      closeStream();
      wakeUp.run();
    }
  }

  private void enqueue(byte[] chunk) throws InterruptedException {
    // Waits while the connection is slower than the stream; close() ends the wait.
    while (!closed && !queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
      // keep waiting for room
    }
    wakeUp.run();
  }

  @Override
  public boolean isEndOfInput() throws Exception {
    if (ended) {
      return true;
    }
    if (queue.peek() == END) {
      queue.poll();
      ended = true;
      return true;
    }
    if (queue.isEmpty() && failure != null) {
      throw failure;
    }
    return false;
  }

  @Deprecated
  @Override
  public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
    return readChunk(ctx.alloc());
  }

  @Override
  public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
    if (isEndOfInput()) {
      return null;
    }
    byte[] chunk = queue.poll();
    if (chunk == null) {
      if (failure != null) {
        throw failure;
      }
      return null; // nothing yet: the reader wakes the writer up
    }
    if (chunk == END) {
      ended = true;
      return null;
    }
    sent += chunk.length;
    return Unpooled.wrappedBuffer(chunk);
  }

  @Override
  public long length() {
    return declaredLength;
  }

  @Override
  public long progress() {
    return sent;
  }

  @Override
  public void close() {
    synchronized (readerLock) {
      closed = true;
      if (reader != null) {
        reader.interrupt();
      }
    }
    queue.clear();
    // A read blocked on a socket or pipe ignores interrupts; closing the stream ends it.
    closeStream();
  }

  private void closeStream() {
    try {
      in.close();
    } catch (IOException e) {
      // the body is over either way; nothing to report beyond a failed read
    }
  }
}
