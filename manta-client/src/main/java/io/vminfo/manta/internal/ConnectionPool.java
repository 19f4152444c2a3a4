package io.vminfo.manta.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.ssl.SslHandler;
import io.vminfo.manta.MantaException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one host, at most {@code max} open. Idle connections are reused
 * most-recently-used first (the least likely to have been closed by the server); callers beyond the
 * limit wait in line, each for at most {@code acquireTimeout}.
 */
public final class ConnectionPool implements AutoCloseable {
  private final Bootstrap bootstrap;
  private final String host;
  private final int port;
  private final int max;
  private final Duration acquireTimeout;
  private final ScheduledExecutorService timer;
  private final Deque<Channel> idle = new ArrayDeque<>();
  private final Deque<CompletableFuture<Channel>> waiters = new ArrayDeque<>();
  private final List<Channel> all = new ArrayList<>();
  private int open;
  private boolean closed;

  public ConnectionPool(
      Bootstrap bootstrap,
      String host,
      int port,
      int max,
      Duration acquireTimeout,
      ScheduledExecutorService timer) {
    this.bootstrap = bootstrap;
    this.host = host;
    this.port = port;
    this.max = max;
    this.acquireTimeout = acquireTimeout;
    this.timer = timer;
  }

  public CompletableFuture<Channel> acquire() {
    CompletableFuture<Channel> waiter;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("client is closed"));
      }
      Channel ch;
      while ((ch = idle.pollLast()) != null) {
        if (ch.isActive()) {
          return CompletableFuture.completedFuture(ch);
        }
      }
      if (open < max) {
        open++;
        return connect();
      }
      waiter = new CompletableFuture<>();
      waiters.addLast(waiter);
    }
    timer.schedule(
        () -> {
          boolean removed;
          synchronized (this) {
            removed = waiters.remove(waiter);
          }
          if (removed) {
            waiter.completeExceptionally(
                new MantaException(
                    0,
                    MantaException.TIMEOUT,
                    "no connection to "
                        + host
                        + " became free within "
                        + acquireTimeout.toMillis()
                        + " ms",
                    Optional.empty(),
                    true,
                    null));
          }
        },
        acquireTimeout.toMillis(),
        TimeUnit.MILLISECONDS);
    return waiter;
  }

  /** Returns a connection; one that is not reusable (or not active) is closed. */
  public void release(Channel ch, boolean reusable) {
    if (!reusable || !ch.isActive()) {
      ch.close();
      return;
    }
    CompletableFuture<Channel> w;
    synchronized (this) {
      if (closed) {
        w = null;
      } else {
        w = waiters.pollFirst();
        if (w == null) {
          idle.addLast(ch);
          return;
        }
      }
    }
    if (w == null) {
      ch.close();
    } else if (!w.complete(ch)) {
      release(ch, true);
    }
  }

  public synchronized int openConnections() {
    return open;
  }

  public synchronized int idleConnections() {
    return idle.size();
  }

  private CompletableFuture<Channel> connect() {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    ChannelFuture cf = bootstrap.connect(host, port);
    Channel ch = cf.channel();
    ch.closeFuture().addListener(f -> onClosed(ch));
    synchronized (this) {
      all.add(ch);
    }
    cf.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.completeExceptionally(connectFailed(f.cause()));
            return;
          }
          SslHandler ssl = ch.pipeline().get(SslHandler.class);
          if (ssl == null) {
            result.complete(ch);
            return;
          }
          ssl.handshakeFuture()
              .addListener(
                  h -> {
                    if (h.isSuccess()) {
                      result.complete(ch);
                    } else {
                      ch.close();
                      result.completeExceptionally(
                          new MantaException(
                              0,
                              MantaException.CONNECT_FAILED,
                              "TLS handshake with "
                                  + host
                                  + ":"
                                  + port
                                  + " failed: "
                                  + h.cause().getMessage()
                                  + " (MANTA_TLS_INSECURE=true skips certificate checks for test endpoints)",
                              Optional.empty(),
                              false,
                              h.cause()));
                    }
                  });
        });
    return result;
  }

  private MantaException connectFailed(Throwable cause) {
    return new MantaException(
        0,
        MantaException.CONNECT_FAILED,
        "cannot connect to " + host + ":" + port + ": " + cause.getMessage(),
        Optional.empty(),
        true,
        cause);
  }

  private void onClosed(Channel ch) {
    CompletableFuture<Channel> next = null;
    synchronized (this) {
      open--;
      idle.remove(ch);
      all.remove(ch);
      if (!closed && !waiters.isEmpty() && open < max) {
        next = waiters.pollFirst();
        open++;
      }
    }
    if (next != null) {
      CompletableFuture<Channel> w = next;
      connect()
          .whenComplete(
              (c, e) -> {
                if (e != null) {
                  w.completeExceptionally(e);
                } else if (!w.complete(c)) {
                  release(c, true);
                }
              });
    }
  }

  @Override
  public void close() {
    List<Channel> toClose;
    List<CompletableFuture<Channel>> toFail;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(all);
      toFail = new ArrayList<>(waiters);
      waiters.clear();
      idle.clear();
    }
    toFail.forEach(w -> w.completeExceptionally(new IllegalStateException("client is closed")));
    toClose.forEach(Channel::close);
  }
}
