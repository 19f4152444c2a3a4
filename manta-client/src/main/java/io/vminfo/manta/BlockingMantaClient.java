package io.vminfo.manta;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The synchronous face of a {@link MantaClient}: each call waits for its operation and throws the
 * operation's {@link MantaException}. By default ({@link MantaConfig.Builder#blockingSockets}) the
 * requests run on the calling thread over JDK sockets, bounded by the request timeout (no progress)
 * per attempt; otherwise they go through the asynchronous path, and each call waits at most the
 * operation timeout. {@link #getStream} always uses the asynchronous path. Never call it from a
 * callback of the asynchronous API (that runs on an I/O thread).
 */
public final class BlockingMantaClient {
  private final MantaClient client;
  // getStream hands its caller an InputStream fed while the caller reads it, so it cannot run
  // on the caller's thread: it always takes the asynchronous path.
  private final MantaClient streams;
  private final Duration timeout;

  BlockingMantaClient(MantaClient client, MantaClient streams, Duration timeout) {
    this.client = client;
    this.streams = streams;
    this.timeout = timeout;
  }

  public MantaPutResult put(String path, MantaBody body, PutOptions options) {
    return await(client.put(path, body, options));
  }

  /** Uploads a local file, streaming it. */
  public MantaPutResult put(String path, Path file, PutOptions options) {
    return put(path, MantaBody.ofFile(file), options);
  }

  public MantaPutResult put(String path, byte[] data) {
    return put(path, MantaBody.ofBytes(data), PutOptions.defaults());
  }

  public void putDirectory(String path) {
    await(client.putDirectory(path));
  }

  public void mkdirp(String path) {
    await(client.mkdirp(path));
  }

  public MantaObjectInfo head(String path) {
    return await(client.head(path));
  }

  /** See {@link MantaClient#info}: a HEAD whose refusals carry Manta's error name. */
  public MantaObjectInfo info(String path) {
    return await(client.info(path));
  }

  /** See {@link MantaClient#putMetadata}. */
  public void putMetadata(String path, java.util.Map<String, String> headers) {
    await(client.putMetadata(path, headers));
  }

  /** See {@link MantaClient#signedUrl}; may block on an ssh-agent, not longer than its timeout. */
  public java.net.URI signedUrl(String path, List<String> methods, java.time.Instant expires) {
    return client.signedUrl(path, methods, expires);
  }

  public byte[] getBytes(String path) {
    return await(client.getBytes(path));
  }

  public MantaObjectInfo getToFile(String path, Path target) {
    return await(client.getToFile(path, target, GetOptions.defaults()));
  }

  public MantaObjectInfo getToFile(String path, Path target, GetOptions options) {
    return await(client.getToFile(path, target, options));
  }

  public MantaObjectStream getStream(String path, GetOptions options) {
    return await(streams.getStream(path, options));
  }

  public void delete(String path) {
    await(client.delete(path));
  }

  public void deleteRecursive(String path) {
    await(client.deleteRecursive(path));
  }

  public void putSnapLink(String linkPath, String sourcePath) {
    await(client.putSnapLink(linkPath, sourcePath));
  }

  public MantaListPage listPage(String dir, ListOptions options) {
    return await(client.listPage(dir, options));
  }

  public List<MantaEntry> listAll(String dir) {
    return await(client.listAll(dir));
  }

  /** A lazy stream of a directory's entries. */
  public Stream<MantaEntry> list(String dir) {
    return client.list(dir);
  }

  /** Waits for {@code f}; MantaExceptions come out as they are. */
  <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
