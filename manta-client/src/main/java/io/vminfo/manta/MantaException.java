package io.vminfo.manta;

import java.util.Objects;
import java.util.Optional;

/**
 * A failed Manta operation. For errors Manta answered, {@link #status()} is the HTTP status and
 * {@link #code()} Manta's error code ({@code DirectoryDoesNotExist}, {@code ThrottledError}, ...).
 * For failures without an answer (connection refused, closed, timed out) the status is 0 and the
 * code one of the {@code CLIENT_*}-style codes below.
 */
public class MantaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Could not connect (refused, unreachable, TLS handshake failed). */
  public static final String CONNECT_FAILED = "ConnectFailed";

  /** The connection closed before a complete response. */
  public static final String CONNECTION_CLOSED = "ConnectionClosed";

  /** No progress for longer than the request timeout. */
  public static final String TIMEOUT = "Timeout";

  /** The bytes received or stored do not have the MD5 Manta reported. */
  public static final String MD5_MISMATCH = "MD5Mismatch";

  /** A response was larger or odder than the client accepts. */
  public static final String BAD_RESPONSE = "BadResponse";

  /**
   * A listing by mtime met more entries with one mtime than Manta returns in a page (1024): Manta's
   * inclusive mtime marker cannot move past them. Listing by name always works.
   */
  public static final String CANNOT_PAGE = "CannotPage";

  /** Reading a local body (file, stream) failed. */
  public static final String LOCAL_IO = "LocalIOError";

  private final int status;
  private final String code;
  private final String requestId;
  private final boolean retryable;

  public MantaException(
      int status,
      String code,
      String message,
      Optional<String> requestId,
      boolean retryable,
      Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.status = status;
    this.code = Objects.requireNonNull(code, "code");
    this.requestId = requestId.orElse(null);
    this.retryable = retryable;
  }

  /** The HTTP status, or 0 when Manta did not answer. */
  public int status() {
    return status;
  }

  /** Manta's error code, or one of this class's constants for client-side failures. */
  public String code() {
    return code;
  }

  /** Manta's {@code x-request-id}, for support tickets. */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** True when the same request may succeed later (5xx, throttling, broken connections). */
  public boolean retryable() {
    return retryable;
  }

  public boolean isNotFound() {
    return status == 404;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + (status > 0 ? status + " " : "")
        + code
        + "]: "
        + getMessage()
        + (requestId != null ? " (request " + requestId + ")" : "");
  }
}
