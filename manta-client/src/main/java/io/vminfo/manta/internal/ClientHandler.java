package io.vminfo.manta.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: routes events to the exchange in progress. Between
 * exchanges it keeps one read pending so a server-side close is noticed while the connection sits
 * in the pool, and closes the connection when it has been idle too long.
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);

  private ChannelHandlerContext ctx;
  private HttpExchange current;

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
  }

  void begin(HttpExchange exchange) {
    if (current != null) {
      throw new IllegalStateException("connection already busy");
    }
    current = exchange;
    exchange.begin(ctx, this);
  }

  void end(HttpExchange exchange) {
    if (current == exchange) {
      current = null;
      if (ctx.channel().isActive()) {
        ctx.read();
      }
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    context.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    try {
      if (current != null && msg instanceof HttpObject) {
        current.onMessage((HttpObject) msg);
      } else {
        LOG.debug("unexpected data on an idle Manta connection; closing it");
        context.close();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    if (current != null) {
      current.onReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    HttpExchange ex = current;
    current = null;
    if (ex != null) {
      ex.onClosed();
    }
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    HttpExchange ex = current;
    current = null;
    if (ex != null) {
      ex.onError(cause);
    } else {
      LOG.debug("error on an idle Manta connection: {}", cause.toString());
    }
    context.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (current == null) {
        context.close();
      }
      return;
    }
    context.fireUserEventTriggered(evt);
  }
}
