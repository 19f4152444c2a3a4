package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.vminfo.manta.MantaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The simple sinks: discard, bounded buffer, file. */
public final class Sinks {
  private Sinks() {}

  public static ResponseSink<Void> discard() {
    return new ResponseSink<>() {
      @Override
      public boolean onData(ByteBuf data) {
        return true;
      }

      @Override
      public Void onComplete(HttpResponse response) {
        return null;
      }
    };
  }

  /**
   * Collects at most {@code maxBytes}; more is a BAD_RESPONSE error (a hostile or broken server).
   */
  public static ResponseSink<byte[]> buffer(long maxBytes) {
    return new ResponseSink<>() {
      private final ByteArrayOutputStream out = new ByteArrayOutputStream();
      private Flow flow;

      @Override
      public void onHeaders(HttpResponse response, Flow f) {
        this.flow = f;
        long declared = io.netty.handler.codec.http.HttpUtil.getContentLength(response, -1L);
        if (declared > maxBytes) {
          throw tooLarge(declared, maxBytes);
        }
      }

      @Override
      public boolean onData(ByteBuf data) {
        if (out.size() + (long) data.readableBytes() > maxBytes) {
          flow.abort(tooLarge(out.size() + (long) data.readableBytes(), maxBytes));
          return false;
        }
        try {
          data.readBytes(out, data.readableBytes());
        } catch (IOException e) {
          throw new IllegalStateException(e); // ByteArrayOutputStream does not fail
        }
        return true;
      }

      @Override
      public byte[] onComplete(HttpResponse response) {
        return out.toByteArray();
      }
    };
  }

  static MantaException tooLarge(long size, long max) {
    return new MantaException(
        0,
        MantaException.BAD_RESPONSE,
        "response body of " + size + " bytes exceeds the limit of " + max,
        Optional.empty(),
        false,
        null);
  }

  /**
   * Writes to a temporary file beside {@code target} and moves it into place only when the body is
   * complete and its MD5 matches the object's {@code Content-MD5}; a failure leaves nothing.
   * Writing runs on {@code workers} (one task at a time per download), so the event loop only
   * receives: a download costs the I/O thread no MD5 and no disk writes. The MD5 (only when {@code
   * verifyMd5}) runs beside the writing, as a second chain of tasks on {@code workers} (a pool that
   * runs several tasks at once gains from it; one that runs one at a time still works): on a 256
   * MiB download the MD5 and the writes each took about as long as receiving, and one after the
   * other they were the slowest step.
   */
  public static ResponseSink<Path> file(Path target, boolean verifyMd5, Executor workers) {
    return new FileSink(target, verifyMd5, workers);
  }

  private static final class FileSink implements ResponseSink<Path> {
    /**
     * Received but not yet written or not yet hashed: reading pauses above HIGH and resumes below
     * LOW.
     */
    private static final long HIGH = 8L << 20;

    private static final long LOW = 2L << 20;

    private final Path target;
    private final boolean verifyMd5;
    private final Executor workers;
    private final MessageDigest md5 = Md5ChunkedInput.newMd5();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final CompletableFuture<Path> completion = new CompletableFuture<>();
    private long queuedBytes;
    // Taken by the writer, not yet hashed (the hasher may lag: it counts against HIGH too).
    private long hashingBytes;
    private boolean draining;
    private boolean pausedReading;
    // Touched by the worker only (one at a time).
    private Path temp;
    private FileChannel out;
    private MantaException failure;
    private Flow flow;
    // The hashing chain: each buffer's MD5 update runs after the one before (extended by the
    // writer only; the updates themselves run in order on other worker threads).
    private CompletableFuture<Void> hashed = CompletableFuture.completedFuture(null);

    FileSink(Path target, boolean verifyMd5, Executor workers) {
      this.target = target.toAbsolutePath();
      this.verifyMd5 = verifyMd5;
      this.workers = workers;
    }

    private record Complete(HttpResponse response) {}

    private record Failed(Throwable cause) {}

    @Override
    public void onHeaders(HttpResponse response, Flow f) {
      this.flow = f;
      try {
        Path dir = target.getParent();
        temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        out = FileChannel.open(temp, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw local("cannot create a file beside " + target, e);
      }
    }

    @Override
    public boolean onData(ByteBuf data) {
      synchronized (this) {
        queuedBytes += data.readableBytes();
        queue.add(data.retain());
        if (queuedBytes + hashingBytes > HIGH) {
          pausedReading = true;
        }
        scheduleDrain();
        return !pausedReading;
      }
    }

    @Override
    public boolean retainsData() {
      return true; // queued for the worker
    }

    @Override
    public Path onComplete(HttpResponse response) {
      throw new UnsupportedOperationException("the file sink completes asynchronously");
    }

    @Override
    public CompletableFuture<Path> complete(HttpResponse response) {
      synchronized (this) {
        queue.add(new Complete(response));
        scheduleDrain();
      }
      return completion;
    }

    @Override
    public void onError(Throwable cause) {
      // Removed now, not by the worker: when the caller hears of the failure, nothing is left
      // (a write still running fails on the closed channel, into an unlinked file).
      deleteTemp();
      synchronized (this) {
        queue.add(new Failed(cause));
        scheduleDrain();
      }
    }

    private void scheduleDrain() {
      if (!draining) {
        draining = true;
        try {
          workers.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          draining = false;
          releaseQueued();
          deleteTemp();
          completion.completeExceptionally(
              local("the client is closed", new IOException("download aborted", e)));
        }
      }
    }

    private void drain() {
      try {
        drainQueue();
      } catch (RuntimeException | Error e) {
        // Never leave the download hanging: fail it, free what is queued, leave no file.
        synchronized (this) {
          draining = false;
        }
        releaseQueued();
        deleteTemp();
        completion.completeExceptionally(
            e instanceof MantaException
                ? e
                : new MantaException(
                    0,
                    MantaException.LOCAL_IO,
                    "download worker failed: " + e,
                    Optional.empty(),
                    false,
                    e));
        if (e instanceof Error) {
          throw (Error) e;
        }
      }
    }

    private void drainQueue() {
      while (true) {
        Object next;
        boolean resume = false;
        synchronized (this) {
          next = queue.poll();
          if (next == null) {
            draining = false;
            return;
          }
          if (next instanceof ByteBuf) {
            int n = ((ByteBuf) next).readableBytes();
            queuedBytes -= n;
            if (verifyMd5 && failure == null) {
              hashingBytes += n;
            }
            resume = resumeBelowLow();
          }
        }
        if (next instanceof ByteBuf) {
          write((ByteBuf) next);
        } else if (next instanceof Complete) {
          finish(((Complete) next).response());
        } else {
          deleteTemp();
          completion.completeExceptionally(((Failed) next).cause());
        }
        if (resume) {
          flow.resume();
        }
      }
    }

    /** Under the lock: true when reading was paused and may go on now. */
    private boolean resumeBelowLow() {
      if (pausedReading && queuedBytes + hashingBytes < LOW) {
        pausedReading = false;
        return true;
      }
      return false;
    }

    private void write(ByteBuf data) {
      try {
        if (failure != null) {
          return;
        }
        if (verifyMd5) {
          ByteBuf forHash = data.retainedDuplicate();
          hashed = hashed.thenRunAsync(() -> hash(forHash), workers);
        }
        for (ByteBuffer nio : data.nioBuffers()) {
          while (nio.hasRemaining()) {
            out.write(nio);
          }
        }
      } catch (IOException e) {
        failure = local("cannot write " + temp, e);
        flow.abort(failure);
      } finally {
        data.release();
      }
    }

    /** On a worker, in order: one buffer's MD5 update. */
    private void hash(ByteBuf data) {
      int n = data.readableBytes();
      try {
        for (ByteBuffer nio : data.nioBuffers()) {
          md5.update(nio);
        }
      } finally {
        data.release();
      }
      boolean resume;
      synchronized (this) {
        hashingBytes -= n;
        resume = resumeBelowLow();
      }
      if (resume) {
        flow.resume();
      }
    }

    private void finish(HttpResponse response) {
      if (failure != null) {
        deleteTemp();
        completion.completeExceptionally(failure);
        return;
      }
      try {
        // No fsync: a download is repeatable, and the rename below is what makes it atomic.
        out.close();
      } catch (IOException e) {
        deleteTemp();
        completion.completeExceptionally(local("cannot finish " + target, e));
        return;
      }
      if (!verifyMd5) {
        moveIntoPlace();
        return;
      }
      // Not a blocking wait: the hashing chain may need this very worker thread to catch up.
      hashed.whenComplete(
          (ok, e) -> {
            try {
              if (e != null) {
                throw new MantaException(
                    0,
                    MantaException.LOCAL_IO,
                    "download worker failed hashing the body: " + e,
                    Optional.empty(),
                    false,
                    e);
              }
              checkMd5ThenMove(response);
            } catch (RuntimeException | Error failed) {
              deleteTemp();
              completion.completeExceptionally(failed);
            }
          });
    }

    private void checkMd5ThenMove(HttpResponse response) {
      String expected = response.headers().get("content-md5");
      String actual = Base64.getEncoder().encodeToString(md5.digest());
      if (expected != null && !expected.equals(actual)) {
        deleteTemp();
        completion.completeExceptionally(
            new MantaException(
                0,
                MantaException.MD5_MISMATCH,
                "downloaded bytes have MD5 "
                    + actual
                    + " but Manta says the object's is "
                    + expected,
                Optional.ofNullable(response.headers().get("x-request-id")),
                false,
                null));
        return;
      }
      moveIntoPlace();
    }

    private void moveIntoPlace() {
      try {
        try {
          Files.move(
              temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        completion.complete(target);
      } catch (IOException e) {
        deleteTemp();
        completion.completeExceptionally(local("cannot finish " + target, e));
      }
    }

    private void deleteTemp() {
      try {
        if (out != null) {
          out.close();
        }
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
      } catch (IOException e) {
        // best effort: the temp file has a .part name
      }
    }

    private synchronized void releaseQueued() {
      for (Object o : queue) {
        if (o instanceof ByteBuf) {
          ((ByteBuf) o).release();
        }
      }
      queue.clear();
    }
  }

  static MantaException local(String message, IOException e) {
    return new MantaException(
        0, MantaException.LOCAL_IO, message + ": " + e.getMessage(), Optional.empty(), false, e);
  }
}
