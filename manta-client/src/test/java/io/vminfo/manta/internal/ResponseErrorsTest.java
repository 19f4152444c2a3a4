package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.manta.MantaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** How refusals, Retry-After values and transport failures become MantaExceptions. */
class ResponseErrorsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void mantaCodeAndMessageComeFromTheJsonBody() {
    MantaException e =
        ResponseErrors.of(
            404,
            Optional.of("req-1"),
            utf8("{\"code\":\"ResourceNotFound\",\"message\":\"/a/stor/x was not found\"}"));
    assertThat(e.status()).isEqualTo(404);
    assertThat(e.code()).isEqualTo("ResourceNotFound");
    assertThat(e.getMessage()).contains("/a/stor/x was not found");
    assertThat(e.requestId()).contains("req-1");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void withoutABodyTheCodeIsTheStatus() {
    MantaException e = ResponseErrors.of(403, Optional.empty(), new byte[0]);
    assertThat(e.code()).isEqualTo("HTTP403");
    assertThat(ResponseErrors.of(403, Optional.empty(), null).code()).isEqualTo("HTTP403");
  }

  @Test
  void aBodyThatIsNotJsonIsQuotedInTheMessage() {
    MantaException e = ResponseErrors.of(502, Optional.empty(), utf8("<html>bad gateway</html>"));
    assertThat(e.code()).isEqualTo("HTTP502");
    assertThat(e.getMessage()).contains("<html>bad gateway");
  }

  @Test
  void serverTroubleAndThrottlingAreRetryableClientErrorsAreNot() {
    for (int s : new int[] {500, 502, 503, 504}) {
      assertThat(ResponseErrors.of(s, Optional.empty(), null).retryable()).as("%d", s).isTrue();
    }
    for (int s : new int[] {400, 401, 403, 404, 409, 412, 501}) {
      assertThat(ResponseErrors.of(s, Optional.empty(), null).retryable()).as("%d", s).isFalse();
    }
    assertThat(
            ResponseErrors.of(429, Optional.empty(), utf8("{\"code\":\"ThrottledError\"}"))
                .retryable())
        .isTrue();
  }

  @Test
  void retryAfterInSeconds() {
    assertThat(ResponseErrors.retryAfterMillis("3", NOW)).isEqualTo(3000);
    assertThat(ResponseErrors.retryAfterMillis(" 0 ", NOW)).isEqualTo(0);
    assertThat(ResponseErrors.retryAfterMillis("99999999999999999999", NOW))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void retryAfterAsAnHttpDateInAnyOfTheThreeForms() {
    assertThat(ResponseErrors.retryAfterMillis("Mon, 07 Dec 2026 12:00:05 GMT", NOW))
        .isEqualTo(5000);
    assertThat(ResponseErrors.retryAfterMillis("Monday, 07-Dec-26 12:00:05 GMT", NOW))
        .isEqualTo(5000);
    assertThat(ResponseErrors.retryAfterMillis("Mon Dec  7 12:00:05 2026", NOW)).isEqualTo(5000);
  }

  @Test
  void retryAfterInThePastMeansNowAndGarbageMeansNone() {
    assertThat(ResponseErrors.retryAfterMillis("Mon, 07 Dec 2026 11:00:00 GMT", NOW)).isZero();
    assertThat(ResponseErrors.retryAfterMillis(null, NOW)).isEqualTo(-1);
    assertThat(ResponseErrors.retryAfterMillis("soon", NOW)).isEqualTo(-1);
    assertThat(ResponseErrors.retryAfterMillis("-5", NOW)).isEqualTo(-1);
  }

  @Test
  void unwrapFindsTheMantaExceptionInsideFutureWrappers() {
    MantaException inner =
        new MantaException(0, MantaException.TIMEOUT, "slow", Optional.empty(), true, null);
    assertThat(ResponseErrors.unwrap(new CompletionException(new ExecutionException("x", inner))))
        .isSameAs(inner);
  }

  @Test
  void unwrapRethrowsProgrammingErrorsAndNamesTheRest() {
    IllegalStateException closed = new IllegalStateException("client is closed");
    assertThatThrownBy(() -> ResponseErrors.unwrap(new CompletionException(closed)))
        .isSameAs(closed);
    MantaException e = ResponseErrors.unwrap(new IOException("reset"));
    assertThat(e.code()).isEqualTo(MantaException.CONNECTION_CLOSED);
    assertThat(e.retryable()).isFalse();
  }
}
