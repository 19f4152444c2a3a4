package io.vminfo.core.client;

/** The agent answered 404: no such VM (or route). */
public final class VminfoNotFoundException extends VminfoApiException {
  private static final long serialVersionUID = 1L;

  public VminfoNotFoundException(String code, String message) {
    super(404, code, message);
  }
}
