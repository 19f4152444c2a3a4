package io.vminfo.core.client.internal;

import io.vminfo.core.FeedMessage;
import io.vminfo.core.client.EventStream;
import io.vminfo.core.client.EventWatch;
import io.vminfo.core.client.FeedListener;
import io.vminfo.core.client.VminfoClientException;
import io.vminfo.core.client.VminfoEventsLostException;
import io.vminfo.core.client.VminfoTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link EventWatch} over its own {@link EventStream}: the matcher sees each event (on the
 * stream's thread) and completes the watch by returning a value. A second snapshot means events may
 * have been missed, which fails the watch with {@link VminfoEventsLostException}.
 */
public final class Watch<T> implements EventWatch<T>, FeedListener {
  private final Function<FeedMessage.Event, Optional<T>> matcher;
  private final Supplier<String> progress;
  private final Duration defaultTimeout;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private volatile EventStream stream;
  private boolean sawReady;

  public Watch(
      Function<FeedMessage.Event, Optional<T>> matcher,
      Supplier<String> progress,
      Duration defaultTimeout) {
    this.matcher = Objects.requireNonNull(matcher, "matcher");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
  }

  /** Attaches the stream this watch listens on (closed with the watch). */
  public void attach(EventStream stream) {
    this.stream = stream;
    if (result.isDone()) {
      stream.close();
    }
  }

  /** Completes at once (e.g. an empty change list, which vminfod also answers at once). */
  public void complete(T value) {
    result.complete(value);
  }

  @Override
  public void onReady(FeedMessage.Ready ready) {
    if (sawReady || ready.resync()) {
      result.completeExceptionally(
          new VminfoEventsLostException(
              "the agent could not resume the event stream"
                  + (ready.resync() ? " (resync)" : "")
                  + "; events may have been missed"));
      closeStream();
    }
    sawReady = true;
  }

  @Override
  public void onEvent(FeedMessage.Event event) {
    if (result.isDone()) {
      return;
    }
    Optional<T> value = matcher.apply(event);
    if (value.isPresent()) {
      result.complete(value.get());
      closeStream();
    }
  }

  @Override
  public T await() throws IOException, InterruptedException {
    return await(defaultTimeout);
  }

  @Override
  public T await(Duration timeout) throws IOException, InterruptedException {
    try {
      return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new VminfoTimeoutException(
          "not seen within " + timeout.toMillis() + " ms (" + progress.get() + ")");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof VminfoClientException vce) {
        throw vce;
      }
      throw new VminfoClientException("watch failed: " + cause, cause);
    } catch (java.util.concurrent.CancellationException e) {
      throw new VminfoClientException("the watch was closed");
    }
  }

  @Override
  public boolean isDone() {
    return result.isDone();
  }

  @Override
  public void close() {
    result.completeExceptionally(new VminfoClientException("the watch was closed"));
    closeStream();
  }

  private void closeStream() {
    EventStream s = stream;
    if (s != null) {
      // Never close from inside the stream's own callback thread synchronously waiting on it:
      // FeedConnection.close() only waits for a callback on another thread, and ReentrantLock
      // lets the callback's own thread through.
      s.close();
    }
  }
}
