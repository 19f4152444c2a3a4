package io.vminfo.sysevent.internal.host;

import java.io.IOException;

/**
 * A host file that exists but cannot be used: too large, malformed, a symlink leaving the host
 * root. {@link #code()} is a short machine-readable reason (vmload's codes where they exist).
 */
public class HostFileException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String code;

  public HostFileException(String code, String message) {
    super(message);
    this.code = code;
  }

  public HostFileException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
