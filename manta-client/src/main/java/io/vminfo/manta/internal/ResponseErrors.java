package io.vminfo.manta.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.json.HardenedJson;
import io.vminfo.manta.MantaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns Manta's refusals, Retry-After headers and transport failures into MantaExceptions. */
public final class ResponseErrors {
  // Manta's answers are untrusted: bounded nesting, strings and numbers; a key twice keeps the
  // last, as node-manta's JSON.parse does
  private static final ObjectMapper JSON = HardenedJson.UNTRUSTED.lastDuplicateKeyWins().mapper();

  private ResponseErrors() {}

  /**
   * The exception for a non-success answer: Manta's JSON {@code code} and {@code message} when the
   * body has them, else {@code HTTP<status>}. 5xx gateway/availability answers and throttling are
   * retryable; everything else is the caller's to fix.
   */
  public static MantaException of(int status, Optional<String> requestId, byte[] body) {
    String code = "HTTP" + status;
    String message = "Manta answered " + status;
    if (body != null && body.length > 0) {
      try {
        JsonNode n = JSON.readTree(body);
        if (n.hasNonNull("code")) {
          code = n.get("code").asText();
        }
        if (n.hasNonNull("message")) {
          message = n.get("message").asText();
        }
      } catch (IOException | RuntimeException e) {
        message =
            message
                + ": "
                + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
      }
    }
    boolean retryable =
        status == 500
            || status == 502
            || status == 503
            || status == 504
            || "ThrottledError".equals(code);
    return new MantaException(status, code, message, requestId, retryable, null);
  }

  /**
   * A {@code Retry-After} value in milliseconds from {@code now}: delay-seconds or an HTTP date (a
   * date in the past means now); -1 when absent or unreadable.
   */
  public static long retryAfterMillis(String value, Instant now) {
    if (value == null) {
      return -1;
    }
    String v = value.trim();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Math.multiplyExact(Long.parseLong(v), 1000L);
      } catch (ArithmeticException | NumberFormatException e) {
        return Long.MAX_VALUE; // absurdly far: RetryPolicy caps it anyway
      }
    }
    return HttpDates.parse(v)
        .map(when -> Math.max(0, Duration.between(now, when).toMillis()))
        .orElse(-1L);
  }

  /**
   * The MantaException inside a future's failure; programming errors (IllegalArgument/State) are
   * rethrown as they are, anything else becomes a non-retryable {@code ConnectionClosed}.
   */
  public static MantaException unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof MantaException) {
      return (MantaException) t;
    }
    if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
      throw (RuntimeException) t;
    }
    return new MantaException(
        0,
        MantaException.CONNECTION_CLOSED,
        String.valueOf(t.getMessage()),
        Optional.empty(),
        false,
        t);
  }
}
