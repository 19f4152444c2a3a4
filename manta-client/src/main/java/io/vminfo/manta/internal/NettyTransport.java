package io.vminfo.manta.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vminfo.manta.MantaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The asynchronous transport: pooled Netty channels, one {@link HttpExchange} per attempt. */
public final class NettyTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

  private final MantaConfig config;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final ConnectionPool pool;
  // Caller-supplied body streams are read, and downloads to files hashed and written, here:
  // never on an I/O thread (threads made on demand).
  private final ExecutorService bodyWorkers =
      Executors.newCachedThreadPool(new DefaultThreadFactory("manta-body", true));

  public NettyTransport(MantaConfig config) {
    this.config = config;
    this.ownsGroup = config.eventLoopGroup().isEmpty();
    this.group =
        config
            .eventLoopGroup()
            .orElseGet(
                () ->
                    new NioEventLoopGroup(
                        config.ioThreads(), new DefaultThreadFactory("manta-io", true)));
    String host = config.url().getHost();
    boolean tls = config.url().getScheme().equalsIgnoreCase("https");
    int port = config.url().getPort() > 0 ? config.url().getPort() : tls ? 443 : 80;
    SslContext ssl = tls ? sslContext(config) : null;
    long idleMillis = config.idleTimeout().toMillis();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.AUTO_READ, false)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      SslHandler h = ssl.newHandler(ch.alloc(), host, port);
                      h.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
                      if (!config.tlsInsecure()) {
                        SSLEngine engine = h.engine();
                        SSLParameters p = engine.getSSLParameters();
                        p.setEndpointIdentificationAlgorithm("HTTPS");
                        engine.setSSLParameters(p);
                      }
                      ch.pipeline().addLast(h);
                    }
                    ch.pipeline().addLast(new HttpClientCodec(4096, 64 * 1024, 128 * 1024));
                    ch.pipeline().addLast(new ChunkedWriteHandler());
                    ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                    ch.pipeline().addLast(new ClientHandler());
                  }
                });
    this.pool =
        new ConnectionPool(
            bootstrap,
            host,
            port,
            config.maxConnections(),
            config.requestTimeout().plus(config.connectTimeout()),
            group);
  }

  private static SslContext sslContext(MantaConfig config) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient();
      if (config.tlsInsecure()) {
        LOG.warn("TLS certificate checks are off for {} (MANTA_TLS_INSECURE)", config.url());
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Threads for work that must stay off the event loop (body streams, file sinks). */
  public ExecutorService bodyWorkers() {
    return bodyWorkers;
  }

  @Override
  public CompletableFuture<HttpExchange.Response<Object>> exchange(
      RequestSpec spec, ResponseSink<?> sink, AtomicBoolean bodyOpened) {
    return pool.acquire()
        .thenCompose(
            ch -> {
              bodyOpened.set(true);
              HttpExchange exchange =
                  new HttpExchange(
                      spec,
                      sink,
                      pool,
                      config.requestTimeout().toMillis(),
                      config.expectContinueTimeout().toMillis(),
                      config.expectContinueThreshold(),
                      bodyWorkers);
              exchange.start(ch);
              return exchange.<Object>result();
            });
  }

  @Override
  public void schedule(Runnable task, long delayMillis) {
    group.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    pool.close();
    bodyWorkers.shutdownNow();
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
