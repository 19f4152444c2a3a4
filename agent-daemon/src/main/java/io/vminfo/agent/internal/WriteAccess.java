package io.vminfo.agent.internal;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may write, the two ways in: a request relayed from the agent's local UNIX socket is allowed
 * by its peer's credentials (root, the agent's own user, or {@code actions.socket_group}), any
 * other needs an HTTP Signature by a listed key ({@link WriteAuthenticator}). Every write gets a
 * requester naming who asked, for the job log.
 */
public final class WriteAccess {
  private final Optional<WriteAuthenticator> signatures;
  private final Optional<String> socketGroup;
  private final String agentUser;
  private volatile Optional<LocalSocketRelay> socket = Optional.empty();

  public WriteAccess(
      Optional<WriteAuthenticator> signatures, Optional<String> socketGroup, String agentUser) {
    this.signatures = Objects.requireNonNull(signatures, "signatures");
    this.socketGroup = Objects.requireNonNull(socketGroup, "socketGroup");
    this.agentUser = Objects.requireNonNull(agentUser, "agentUser");
  }

  /** The relay of the local socket, once it listens. */
  public void socket(LocalSocketRelay relay) {
    this.socket = Optional.of(relay);
  }

  /**
   * Returns who asked, or refuses.
   *
   * @throws ApiError 403 for a socket peer without the right, else what the signature check says
   *     (401 when no signature is configured or sent)
   */
  public String authorize(HttpRequest request, SocketAddress remote) throws ApiError {
    if (remote instanceof InetSocketAddress inet) {
      Optional<UnixDomainPrincipal> peer = socket.flatMap(s -> s.peer(inet));
      if (peer.isPresent()) {
        return local(peer.get());
      }
    }
    String from =
        remote instanceof InetSocketAddress a
            ? "tcp:" + a.getAddress().getHostAddress() + ":" + a.getPort()
            : "tcp:" + remote;
    if (signatures.isEmpty()) {
      throw new ApiError(
          HttpResponseStatus.UNAUTHORIZED,
          "NotAuthenticated",
          "writes are accepted on the agent's UNIX socket (actions.socket) only: this agent has"
              + " no actions.authorized_keys");
    }
    return signatures.get().authenticate(request) + " from " + from;
  }

  private String local(UnixDomainPrincipal peer) throws ApiError {
    String user = peer.user().getName();
    String group = peer.group().getName();
    String who = "unix:" + user + "(" + group + ")";
    if (user.equals("root")
        || user.equals(agentUser)
        || socketGroup.map(g -> g.equals(group)).orElse(false)) {
      return who;
    }
    throw new ApiError(
        HttpResponseStatus.FORBIDDEN,
        "NotAuthorized",
        "the local socket peer "
            + user
            + " (group "
            + group
            + ") may not write: only root, "
            + agentUser
            + socketGroup.map(g -> " or group " + g).orElse("")
            + "; or sign the request with a key in actions.authorized_keys");
  }
}
