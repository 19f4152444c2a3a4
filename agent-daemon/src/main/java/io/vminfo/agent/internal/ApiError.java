package io.vminfo.agent.internal;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;

/**
 * A request the API refuses: the HTTP status and the {@code code}/{@code message} of the JSON body.
 */
public final class ApiError extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponseStatus status;
  private final String code;

  public ApiError(HttpResponseStatus status, String code, String message) {
    super(message, null, false, false);
    this.status = Objects.requireNonNull(status, "status");
    this.code = Objects.requireNonNull(code, "code");
  }

  public static ApiError badRequest(String message) {
    return new ApiError(HttpResponseStatus.BAD_REQUEST, "BadRequest", message);
  }

  public static ApiError notFound(String message) {
    return new ApiError(HttpResponseStatus.NOT_FOUND, "NotFound", message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable", message);
  }

  public HttpResponseStatus status() {
    return status;
  }

  public String code() {
    return code;
  }
}
