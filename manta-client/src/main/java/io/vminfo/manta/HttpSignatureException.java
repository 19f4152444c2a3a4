package io.vminfo.manta;

import java.util.Objects;

/**
 * A malformed or unsupported HTTP Signature, named as Manta names it ({@code InvalidHeader}, ...).
 */
public final class HttpSignatureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public HttpSignatureException(String code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Manta's error name, e.g. {@code InvalidHeader} or {@code InvalidAlgorithm}. */
  public String code() {
    return code;
  }
}
