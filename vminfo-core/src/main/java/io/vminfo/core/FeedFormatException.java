package io.vminfo.core;

/** A feed line that is not valid JSON or not one of the known message shapes. */
public final class FeedFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FeedFormatException(String message) {
    super(message);
  }

  public FeedFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
