package io.vminfo.core.client;

/** A request, or a watch for an event or changes, did not complete within its timeout. */
public final class VminfoTimeoutException extends VminfoClientException {
  private static final long serialVersionUID = 1L;

  public VminfoTimeoutException(String message) {
    super(message);
  }

  public VminfoTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
