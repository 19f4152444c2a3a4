package io.vminfo.cli.internal.agent;

import io.vminfo.cli.internal.CliFailure;
import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Connection trouble of a following command's event stream, told once per outage on stderr: "lost
 * the connection ...; reconnecting" when it breaks, and whatever the command says when it is back.
 * A stream that never started is a failure of the command instead.
 */
public final class Outages {
  private final URI agent;
  private final Consumer<String> note;
  private boolean ongoing;

  public Outages(URI agent, Consumer<String> note) {
    this.agent = agent;
    this.note = note;
  }

  /** The stream broke: the failure to end with if it never started, else a note (once). */
  public Optional<CliFailure> disconnected(boolean started, Throwable cause) {
    if (!started) {
      return Optional.of(AgentErrors.streamFailure(cause, agent));
    }
    if (!ongoing) {
      ongoing = true;
      note.accept(
          "lost the connection to the agent at "
              + agent
              + " ("
              + AgentErrors.reason(cause)
              + "); reconnecting");
    }
    return Optional.empty();
  }

  /** The stream is back; true if an outage had been reported (so the caller says so too). */
  public boolean over() {
    boolean was = ongoing;
    ongoing = false;
    return was;
  }
}
