package io.vminfo.agent.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty HTTP/1.1 server of the API. Per connection: {@link ConnectionGuard} (timeouts), the
 * HTTP codec with the configured line and header limits, keep-alive handling, and an {@link
 * ApiHandler}. Outbound buffers have a small high water mark so a slow feed reader turns the
 * channel unwritable early and the feed stops writing to it.
 */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  /** Per-connection outbound buffer bounds (Netty writability). */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ChannelGroup channels =
      new DefaultChannelGroup("vminfo-http", GlobalEventExecutor.INSTANCE);
  private Channel serverChannel;

  public HttpServer(int threads) {
    this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("vminfo-http-accept", true));
    this.workers = new NioEventLoopGroup(threads, new DefaultThreadFactory("vminfo-http", true));
  }

  /** Binds and starts accepting; returns the bound address. */
  public InetSocketAddress bind(
      String address,
      int port,
      int maxUriBytes,
      int maxHeaderBytes,
      Supplier<ApiHandler> handlers,
      Timers timers,
      Clock clock,
      Supplier<RuntimeSettings> settings)
      throws InterruptedException, java.io.IOException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    channels.add(ch);
                    ch.pipeline()
                        .addLast("guard", new ConnectionGuard(timers, clock, settings))
                        .addLast("codec", new HttpServerCodec(maxUriBytes, maxHeaderBytes, 8192))
                        .addLast("keepalive", new HttpServerKeepAliveHandler())
                        .addLast("api", handlers.get());
                  }
                });
    InetAddress bindTo = InetAddress.getByName(address);
    try {
      serverChannel = b.bind(new InetSocketAddress(bindTo, port)).sync().channel();
    } catch (Exception e) {
      if (e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException) {
        throw new java.io.IOException(
            "cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
      }
      throw e;
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Stops accepting new connections. */
  public void stopAccepting(Duration timeout) {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Closes every open connection. */
  public void closeConnections(Duration timeout) {
    channels.close().awaitUninterruptibly(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** Stops the event loops. */
  public void shutdown(Duration timeout) {
    long ms = Math.max(1, timeout.toMillis());
    boss.shutdownGracefully(0, ms, TimeUnit.MILLISECONDS);
    workers.shutdownGracefully(0, ms, TimeUnit.MILLISECONDS);
    if (!workers.terminationFuture().awaitUninterruptibly(ms, TimeUnit.MILLISECONDS)) {
      log.warn("HTTP event loops did not stop within {} ms", ms);
    }
  }

  public int openConnections() {
    return channels.size();
  }
}
