package io.vminfo.core.client;

/**
 * A watch could not be sure it saw every event: the agent could not resume the stream (it
 * restarted, or the client fell too far behind) and sent a fresh snapshot instead. The thing being
 * waited for may already have happened; check the current state with {@link VminfoClient#vm}.
 */
public final class VminfoEventsLostException extends VminfoClientException {
  private static final long serialVersionUID = 1L;

  public VminfoEventsLostException(String message) {
    super(message);
  }
}
