package io.vminfo.core.client;

import java.util.Map;

/**
 * Authenticates the client's writes: the agent accepts a write only with an HTTP Signature by a key
 * it lists (its {@code actions.authorized_keys}). The CLI implements this with its SSH key; an
 * embedding application brings its own.
 */
@FunctionalInterface
public interface RequestSigner {
  /**
   * The headers to add to one write request (e.g. {@code date}, {@code x-request-id}, {@code
   * authorization}); called once per request, so a fresh request id each time.
   *
   * @param method the HTTP method
   * @param target the request target as sent: the raw path and query
   */
  Map<String, String> headers(String method, String target);
}
