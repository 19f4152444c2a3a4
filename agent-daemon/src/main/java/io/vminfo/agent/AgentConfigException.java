package io.vminfo.agent;

/** A configuration problem; the message names the key, the bad value and where it came from. */
public final class AgentConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public AgentConfigException(String message) {
    super(message);
  }
}
