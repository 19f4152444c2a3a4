package io.vminfo.usage;

import java.util.Objects;

/**
 * A failed {@link ObjectStore#put}. The kind tells the uploader what to do: a {@link
 * Kind#TRANSIENT} failure (store down, timeout, 5xx, throttling) is retried with capped exponential
 * backoff for as long as it takes; a {@link Kind#PERMANENT} one (bad credentials, no such account,
 * a path the store refuses) parks that file, visible in {@link UsageStatus#parked()}, until it is
 * tried again (after {@code UsageService.Builder.parkedRetry}, default 1 hour, or at the next
 * start).
 */
public final class ObjectStoreException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Whether retrying the same request later can succeed. */
  public enum Kind {
    TRANSIENT,
    PERMANENT
  }

  private final Kind kind;

  public ObjectStoreException(Kind kind, String message, Throwable cause) {
    super(requireMessage(message), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public ObjectStoreException(Kind kind, String message) {
    this(kind, message, null);
  }

  /** A failure worth retrying later (the store is down or slow, the network broke). */
  public static ObjectStoreException retryable(String message, Throwable cause) {
    return new ObjectStoreException(Kind.TRANSIENT, message, cause);
  }

  /** A failure that retrying the same request cannot fix. */
  public static ObjectStoreException permanent(String message, Throwable cause) {
    return new ObjectStoreException(Kind.PERMANENT, message, cause);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }

  private static String requireMessage(String message) {
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("an object store failure needs a message");
    }
    return message;
  }
}
