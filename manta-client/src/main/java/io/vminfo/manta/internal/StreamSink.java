package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.vminfo.manta.MantaException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands a response body to a reading thread through a bounded buffer: the connection stops reading
 * at 1 MiB buffered and resumes below 256 KiB, so memory stays flat whatever the size.
 */
public final class StreamSink implements ResponseSink<Void>, BodyStream {
  private static final int HIGH_WATER = 1024 * 1024;
  private static final int LOW_WATER = 256 * 1024;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private final CompletableFuture<HttpResponse> headers = new CompletableFuture<>();
  private final long readTimeoutNanos;
  private final boolean verifyMd5;
  private final MessageDigest md5 = Md5ChunkedInput.newMd5();
  private Flow flow;
  private long buffered;
  private boolean paused;
  private boolean eof;
  private boolean closed;
  private boolean verified;
  private Throwable error;

  public StreamSink(long readTimeoutMillis, boolean verifyMd5) {
    this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
    this.verifyMd5 = verifyMd5;
  }

  /** Completes with the response headers once they arrive. */
  public CompletableFuture<HttpResponse> headers() {
    return headers;
  }

  @Override
  public void onHeaders(HttpResponse response, Flow f) {
    this.flow = f;
    headers.complete(response);
  }

  @Override
  public boolean onData(ByteBuf data) {
    lock.lock();
    try {
      if (closed) {
        return true;
      }
      queue.add(data.retainedDuplicate());
      buffered += data.readableBytes();
      changed.signalAll();
      if (buffered >= HIGH_WATER) {
        paused = true;
        return false;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Void onComplete(HttpResponse response) {
    lock.lock();
    try {
      eof = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return null;
  }

  @Override
  public void onError(Throwable cause) {
    lock.lock();
    try {
      error = cause;
      releaseAll();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean retryable() {
    return !headers.isDone();
  }

  /** Reads like {@link java.io.InputStream#read(byte[], int, int)}. */
  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    boolean resume = false;
    int n;
    lock.lock();
    try {
      long deadline = System.nanoTime() + readTimeoutNanos;
      while (queue.isEmpty() && !eof && error == null && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException(
              "no data from Manta for " + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms");
        }
        try {
          changed.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted reading a Manta object");
        }
      }
      if (closed) {
        throw new IOException("stream closed");
      }
      if (error != null) {
        throw new IOException(error.getMessage(), error);
      }
      if (queue.isEmpty()) {
        verifyAtEnd();
        return -1;
      }
      ByteBuf head = queue.peek();
      n = Math.min(len, head.readableBytes());
      head.readBytes(b, off, n);
      md5.update(b, off, n);
      if (!head.isReadable()) {
        queue.poll().release();
      }
      buffered -= n;
      if (paused && buffered < LOW_WATER) {
        paused = false;
        resume = true;
      }
    } finally {
      lock.unlock();
    }
    if (resume) {
      flow.resume();
    }
    return n;
  }

  private void verifyAtEnd() throws IOException {
    if (verified || !verifyMd5) {
      return;
    }
    verified = true;
    String expected =
        headers.getNow(null) == null ? null : headers.getNow(null).headers().get("content-md5");
    String actual = Base64.getEncoder().encodeToString(md5.digest());
    if (expected != null && !expected.equals(actual)) {
      throw new IOException(
          new MantaException(
              0,
              MantaException.MD5_MISMATCH,
              "received bytes have MD5 " + actual + " but the object's is " + expected,
              java.util.Optional.empty(),
              false,
              null));
    }
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return (int) Math.min(Integer.MAX_VALUE, buffered);
    } finally {
      lock.unlock();
    }
  }

  /** Stops the transfer when the body was not read to the end. */
  @Override
  public void close() {
    boolean abort;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      abort = !eof && error == null;
      releaseAll();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (abort && flow != null) {
      flow.abort(
          new MantaException(
              0,
              MantaException.LOCAL_IO,
              "the reader closed the stream early",
              java.util.Optional.empty(),
              false,
              null));
    }
  }

  private void releaseAll() {
    ByteBuf b;
    while ((b = queue.poll()) != null) {
      b.release();
    }
    buffered = 0;
  }
}
