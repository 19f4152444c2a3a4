package io.vminfo.core.client;

/**
 * The agent answered with an error: its HTTP status and the {@code code} and {@code message} of its
 * JSON error body ({@code {"code":"NotFound","message":"VM Not Found: <id>"}}). Agents that answer
 * with plain text (old vminfod) get code {@code "HttpError"} and the text as message.
 */
public class VminfoApiException extends VminfoClientException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public VminfoApiException(int status, String code, String message) {
    super("HTTP " + status + " " + code + ": " + message);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** The error code, e.g. {@code NotFound} or {@code BadRequest}. */
  public String code() {
    return code;
  }
}
