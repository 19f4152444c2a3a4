package io.vminfo.cli.internal.agent;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.core.client.VminfoApiException;
import io.vminfo.core.client.VminfoClientException;
import io.vminfo.core.client.VminfoNotFoundException;
import io.vminfo.core.client.VminfoTimeoutException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Turns what the client library throws into one line for the user and the right exit code:
 * transport failures (refused, timed out, reset, unknown host) mean the agent cannot be reached
 * (exit 3); an answer the agent gave (404, 503, ...) or a bad answer is a failure (exit 1).
 */
public final class AgentErrors {
  private AgentErrors() {}

  public static CliFailure translate(Throwable e, URI agent) {
    if (e instanceof CliFailure f) {
      return f;
    }
    if (e instanceof VminfoNotFoundException nf) {
      return CliFailure.failed(agentMessage(nf), e);
    }
    if (e instanceof VminfoApiException api) {
      return CliFailure.failed(
          "the agent at "
              + agent
              + " answered "
              + api.status()
              + " "
              + api.code()
              + ": "
              + agentMessage(api),
          e);
    }
    if (isTransport(e)) {
      return CliFailure.unreachable(
          "cannot reach the agent at " + agent + ": " + reason(e) + hint(e), e);
    }
    if (e instanceof VminfoClientException) {
      return CliFailure.failed("bad answer from the agent at " + agent + ": " + e.getMessage(), e);
    }
    if (e instanceof IllegalArgumentException) {
      return CliFailure.usage(e.getMessage(), e);
    }
    return CliFailure.failed(String.valueOf(e.getMessage()), e);
  }

  /**
   * Why an event stream never started: the agent cannot be reached (exit 3), or it refused the
   * stream (exit 1, e.g. 503 when it has too many subscribers).
   */
  public static CliFailure streamFailure(Throwable cause, URI agent) {
    CliFailure f = translate(cause, agent);
    return isTransport(cause)
        ? f
        : CliFailure.failed(
            "the agent at " + agent + " refused the event stream: " + f.getMessage(), cause);
  }

  /** Whether {@code e} says the connection failed, rather than the agent answering badly. */
  public static boolean isTransport(Throwable e) {
    if (e instanceof VminfoTimeoutException) {
      return true;
    }
    if (e instanceof VminfoApiException) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof com.fasterxml.jackson.core.JacksonException) {
        return false;
      }
      if (t instanceof ConnectException
          || t instanceof HttpConnectTimeoutException
          || t instanceof UnresolvedAddressException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof EOFException
          || t instanceof java.net.SocketException
          || t instanceof java.nio.channels.ClosedChannelException) {
        return true;
      }
    }
    if (e instanceof VminfoClientException) {
      // The client wraps what the HTTP stack threw ("Connection reset", "header parser
      // received no bytes"); its own protocol complaints have no IOException cause.
      return e.getCause() instanceof IOException;
    }
    return e instanceof IOException;
  }

  /** What went wrong on the wire, in a few words. */
  public static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException) {
        return "connection timed out";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
    }
    if (e instanceof VminfoTimeoutException) {
      return e.getMessage();
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
  }

  private static String hint(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException && !(t instanceof HttpConnectTimeoutException)) {
        return " (is vminfod running? set --url or VMINFO_URL)";
      }
    }
    return "";
  }

  /** The agent's own message, without the "HTTP 404 NotFound: " prefix the client adds. */
  static String agentMessage(VminfoApiException e) {
    String m = String.valueOf(e.getMessage());
    String prefix = "HTTP " + e.status() + " " + e.code() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }
}
