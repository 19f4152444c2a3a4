package io.vminfo.alarms;

import java.io.IOException;

/**
 * Thrown by a notifier when the receiver refused a notice for good (e.g. HTTP 400): retrying would
 * only block the notices behind it, so it is dropped with an error in the log.
 */
public final class RejectedNoticeException extends IOException {
  private static final long serialVersionUID = 1L;

  public RejectedNoticeException(String message) {
    super(message);
  }
}
