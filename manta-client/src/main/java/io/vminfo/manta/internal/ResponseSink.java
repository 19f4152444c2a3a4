package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Where a successful response's body goes. Called on the connection's event loop, in order: {@link
 * #onHeaders}, {@link #onData}*, then {@link #onComplete} or {@link #onError}.
 */
public interface ResponseSink<T> {
  /** May throw a MantaException to refuse the response (e.g. too large). */
  default void onHeaders(HttpResponse response, Flow flow) {}

  /**
   * Consumes bytes; the buffer is released by the caller afterwards.
   *
   * @return true to keep reading now; false to pause until {@link Flow#resume()} is called
   */
  boolean onData(ByteBuf data);

  /**
   * True when the sink keeps the buffers it is given past {@link #onData} (so a transport must not
   * reuse their memory); by default a sink copies what it keeps.
   */
  default boolean retainsData() {
    return false;
  }

  /** The body is complete; returns the result or throws a MantaException (e.g. MD5 mismatch). */
  T onComplete(HttpResponse response);

  /**
   * The body is complete: the result, possibly later, for a sink that works off the event loop. By
   * default {@link #onComplete} on the event loop.
   */
  default CompletableFuture<T> complete(HttpResponse response) {
    try {
      return CompletableFuture.completedFuture(onComplete(response));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The exchange failed; release what was held. */
  default void onError(Throwable cause) {}

  /** True while nothing irrevocable reached the caller, so another attempt may use a new sink. */
  default boolean retryable() {
    return true;
  }

  /** Back-pressure control handed to sinks. */
  interface Flow {
    void resume();

    /** Aborts the exchange (closes the connection). */
    void abort(Throwable cause);
  }
}
