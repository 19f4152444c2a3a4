package io.vminfo.manta;

/**
 * A key cannot be read or used: malformed, encrypted, unsupported, or not where it was looked for.
 */
public final class MantaKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MantaKeyException(String message) {
    super(message);
  }

  public MantaKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
