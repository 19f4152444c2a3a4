package io.vminfo.core.client;

import java.io.IOException;

/** Something went wrong talking to a vminfo agent: the connection, the protocol, or the agent. */
public class VminfoClientException extends IOException {
  private static final long serialVersionUID = 1L;

  public VminfoClientException(String message) {
    super(message);
  }

  public VminfoClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
