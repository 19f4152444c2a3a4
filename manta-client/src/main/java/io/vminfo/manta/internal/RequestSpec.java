package io.vminfo.manta.internal;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import java.util.Objects;

/**
 * A request to send: method, encoded URI, headers (date and authorization included), optional body.
 * {@code body} is null for bodiless requests.
 */
public record RequestSpec(
    HttpMethod method,
    String uri,
    Map<String, String> headers,
    BodySource body,
    boolean expectContinue) {
  public RequestSpec {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    headers = Map.copyOf(headers);
  }
}
