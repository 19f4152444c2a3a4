package io.vminfo.agent.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's local UNIX socket. The HTTP server is Netty on TCP, and Netty 4.1 serves UNIX sockets
 * only through its native transport, which is not available here; so each UNIX connection is
 * relayed to the agent's own TCP port from a loopback port this relay bound itself, and the peer's
 * credentials ({@code SO_PEERCRED}, read by the kernel at connect) are remembered under that port.
 * The API then knows who is on the other end of a request that arrives from one of those ports: a
 * port is bound by one socket at a time, so no other process can send from it while the relay holds
 * it.
 */
public final class LocalSocketRelay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalSocketRelay.class);
  static final int MAX_CONNECTIONS = 64;

  private final Path path;
  private final ServerSocketChannel server;
  private final InetSocketAddress agent;
  private final Map<Integer, UnixDomainPrincipal> peers = new ConcurrentHashMap<>();
  private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread acceptor;

  private LocalSocketRelay(Path path, ServerSocketChannel server, InetSocketAddress agent) {
    this.path = path;
    this.server = server;
    this.agent = agent;
    this.acceptor = new Thread(this::acceptLoop, "vminfo-unix-accept");
    this.acceptor.setDaemon(true);
  }

  /**
   * Listens on {@code path} (mode 0666: reads are as open as on loopback TCP; the API checks the
   * peer for writes) and relays to {@code agent}. A socket file left by a dead agent is replaced;
   * anything else at the path is an error, never deleted.
   */
  public static LocalSocketRelay open(Path path, InetSocketAddress agent) throws IOException {
    InetSocketAddress target =
        agent.getAddress().isAnyLocalAddress()
            ? new InetSocketAddress(InetAddress.getLoopbackAddress(), agent.getPort())
            : agent;
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!isSocket(path)) {
        throw new IOException(
            "actions.socket " + path + " exists and is not a socket; not" + " replacing it");
      }
      Files.delete(path);
    }
    Files.createDirectories(path.toAbsolutePath().getParent());
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(path), 64);
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw new IOException("cannot listen on actions.socket " + path + ": " + e, e);
    }
    LocalSocketRelay relay = new LocalSocketRelay(path, server, target);
    relay.acceptor.start();
    return relay;
  }

  private static boolean isSocket(Path p) throws IOException {
    Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return mode instanceof Integer m && (m & 0170000) == 0140000;
  }

  public Path path() {
    return path;
  }

  /** Who is on the other end, when {@code remote} is one of this relay's loopback ports. */
  public Optional<UnixDomainPrincipal> peer(InetSocketAddress remote) {
    return remote.getAddress().equals(agent.getAddress())
        ? Optional.ofNullable(peers.get(remote.getPort()))
        : Optional.empty();
  }

  private void acceptLoop() {
    while (!closed.get()) {
      SocketChannel local;
      try {
        local = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.warn("actions.socket accept failed: {}", e.toString());
        continue;
      }
      if (!slots.tryAcquire()) {
        log.warn("actions.socket: more than {} connections; refusing one", MAX_CONNECTIONS);
        closeQuietly(local);
        continue;
      }
      try {
        relay(local);
      } catch (IOException | RuntimeException e) {
        slots.release();
        closeQuietly(local);
        log.warn("actions.socket: cannot relay a connection: {}", e.toString());
      }
    }
  }

  private void relay(SocketChannel local) throws IOException {
    UnixDomainPrincipal who = local.getOption(ExtendedSocketOptions.SO_PEERCRED);
    SocketChannel tcp = SocketChannel.open();
    int port;
    try {
      tcp.bind(new InetSocketAddress(agent.getAddress(), 0));
      port = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
      peers.put(port, who);
      tcp.socket().connect(agent, 5_000);
    } catch (IOException e) {
      closeQuietly(tcp);
      throw e;
    }
    AtomicBoolean done = new AtomicBoolean();
    Runnable end =
        () -> {
          if (done.compareAndSet(false, true)) {
            // forget the port before it is released, so nobody can inherit these credentials
            peers.remove(port);
            closeQuietly(local);
            closeQuietly(tcp);
            slots.release();
          }
        };
    start("vminfo-unix-in-" + port, () -> copy(local, tcp), end);
    start("vminfo-unix-out-" + port, () -> copy(tcp, local), end);
  }

  private static void start(String name, Copy copy, Runnable end) {
    Thread t =
        new Thread(
            () -> {
              try {
                copy.run();
              } catch (IOException e) {
                // either side went away: the connection is over
              } finally {
                end.run();
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  @FunctionalInterface
  private interface Copy {
    void run() throws IOException;
  }

  /**
   * Blocks on reads without a timeout of its own: the agent's connection guard closes idle and slow
   * connections on the TCP side, which ends both directions.
   */
  private static void copy(SocketChannel from, SocketChannel to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    while (from.read(buf) >= 0) {
      buf.flip();
      while (buf.hasRemaining()) {
        to.write(buf);
      }
      buf.clear();
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        server.close();
      } catch (IOException e) {
        log.debug("closing actions.socket: {}", e.toString());
      }
      try {
        acceptor.join(5_000);
        Files.deleteIfExists(path);
      } catch (IOException e) {
        log.warn("cannot remove actions.socket {}: {}", path, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
