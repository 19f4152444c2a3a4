package io.vminfo.manta;

import io.vminfo.manta.internal.OperationDeadline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The synchronous face of a {@link MantaClient}: each call waits for its operation and throws the
 * operation's {@link MantaException}. By default ({@link MantaConfig.Builder#blockingSockets}) the
 * requests run on the calling thread over JDK sockets, otherwise through the asynchronous path;
 * either way a call (all its requests and retries) takes at most the operation timeout ({@link
 * #getStream}: until the stream is handed out; its reads are bounded by the request timeout). Never
 * call it from a callback of the asynchronous API (that runs on an I/O thread).
 */
public final class BlockingMantaClient {
  private final MantaClient client;
  private final Duration timeout;

  BlockingMantaClient(MantaClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  public MantaPutResult put(String path, MantaBody body, PutOptions options) {
    return call(() -> client.put(path, body, options));
  }

  /** Uploads a local file, streaming it. */
  public MantaPutResult put(String path, Path file, PutOptions options) {
    return put(path, MantaBody.ofFile(file), options);
  }

  public MantaPutResult put(String path, byte[] data) {
    return put(path, MantaBody.ofBytes(data), PutOptions.defaults());
  }

  public void putDirectory(String path) {
    call(() -> client.putDirectory(path));
  }

  public void mkdirp(String path) {
    call(() -> client.mkdirp(path));
  }

  public MantaObjectInfo head(String path) {
    return call(() -> client.head(path));
  }

  /** See {@link MantaClient#info}: a HEAD whose refusals carry Manta's error name. */
  public MantaObjectInfo info(String path) {
    return call(() -> client.info(path));
  }

  /** See {@link MantaClient#putMetadata}. */
  public void putMetadata(String path, java.util.Map<String, String> headers) {
    call(() -> client.putMetadata(path, headers));
  }

  /** See {@link MantaClient#signedUrl}; may block on an ssh-agent, not longer than its timeout. */
  public java.net.URI signedUrl(String path, List<String> methods, java.time.Instant expires) {
    return client.signedUrl(path, methods, expires);
  }

  public byte[] getBytes(String path) {
    return call(() -> client.getBytes(path));
  }

  public MantaObjectInfo getToFile(String path, Path target) {
    return call(() -> client.getToFile(path, target, GetOptions.defaults()));
  }

  public MantaObjectInfo getToFile(String path, Path target, GetOptions options) {
    return call(() -> client.getToFile(path, target, options));
  }

  public MantaObjectStream getStream(String path, GetOptions options) {
    return call(() -> client.getStream(path, options));
  }

  public void delete(String path) {
    call(() -> client.delete(path));
  }

  public void deleteRecursive(String path) {
    call(() -> client.deleteRecursive(path));
  }

  public void putSnapLink(String linkPath, String sourcePath) {
    call(() -> client.putSnapLink(linkPath, sourcePath));
  }

  public MantaListPage listPage(String dir, ListOptions options) {
    return call(() -> client.listPage(dir, options));
  }

  public List<MantaEntry> listAll(String dir) {
    return call(() -> client.listAll(dir));
  }

  /** A lazy stream of a directory's entries. */
  public Stream<MantaEntry> list(String dir) {
    return client.list(dir);
  }

  /**
   * Runs {@code op} within one operation deadline and waits for it; MantaExceptions come out as
   * they are. The socket transport runs the operation inside {@code op.get()} and ends it at the
   * deadline itself; the asynchronous path is cut off by the bounded wait.
   */
  <T> T call(Supplier<CompletableFuture<T>> op) {
    return OperationDeadline.within(timeout, d -> await(op.get(), d));
  }

  private <T> T await(CompletableFuture<T> f, OperationDeadline d) {
    try {
      return f.get(Math.max(0, d.remainingNanos()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new MantaException(
          0, MantaException.TIMEOUT, "interrupted", java.util.Optional.empty(), false, e);
    } catch (TimeoutException e) {
      throw new MantaException(
          0,
          MantaException.TIMEOUT,
          "operation took longer than " + timeout,
          java.util.Optional.empty(),
          false,
          e);
    } catch (ExecutionException e) {
      throw MantaClient.unwrap(e);
    }
  }
}
