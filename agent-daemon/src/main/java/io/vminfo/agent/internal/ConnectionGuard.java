package io.vminfo.agent.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in front of the HTTP codec and closes connections that waste a slot: no request for the idle
 * timeout (half-open peers, forgotten keep-alive connections), or a request whose bytes do not
 * complete within the request timeout (slow-loris); the latter gets a 408 first. A connection that
 * turned into an {@code /events} stream is exempt: it is expected to be quiet.
 */
public final class ConnectionGuard extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  private final Timers timers;
  private final Clock clock;
  private final Supplier<RuntimeSettings> settings;
  private Channel channel;
  private volatile long lastActivity;
  private Timers.Handle idle;
  private Timers.Handle deadline;
  private boolean inRequest;
  private boolean streaming;

  public ConnectionGuard(Timers timers, Clock clock, Supplier<RuntimeSettings> settings) {
    this.timers = timers;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    channel = ctx.channel();
    lastActivity = clock.millis();
    armIdle(settings.get().idleTimeout());
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    lastActivity = clock.millis();
    if (!inRequest && !streaming && msg instanceof ByteBuf b && b.isReadable()) {
      inRequest = true;
      Duration timeout = settings.get().requestTimeout();
      deadline = timers.schedule(channel, timeout, this::requestTimedOut);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (streaming) {
      super.write(ctx, msg, promise); // no timeouts apply: skip the per-write bookkeeping
      return;
    }
    ChannelPromise p = promise.unvoid();
    p.addListener(f -> lastActivity = clock.millis());
    super.write(ctx, msg, p);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel(idle);
    cancel(deadline);
    super.channelInactive(ctx);
  }

  /** The whole request (headers and any body) has arrived. */
  public void requestDone() {
    inRequest = false;
    cancel(deadline);
    deadline = null;
  }

  /** The connection now streams {@code /events}; no idle or request timeout applies. */
  public void startStreaming() {
    streaming = true;
    inRequest = false;
    cancel(idle);
    cancel(deadline);
  }

  private void armIdle(Duration after) {
    idle = timers.schedule(channel, after, this::checkIdle);
  }

  private void checkIdle() {
    if (streaming || !channel.isActive()) {
      return;
    }
    Duration timeout = settings.get().idleTimeout();
    long quiet = clock.millis() - lastActivity;
    if (!inRequest && quiet >= timeout.toMillis()) {
      log.debug("closing idle connection {} after {} ms", channel.remoteAddress(), quiet);
      channel.close();
      return;
    }
    armIdle(inRequest ? timeout : Duration.ofMillis(Math.max(1, timeout.toMillis() - quiet)));
  }

  private void requestTimedOut() {
    if (!inRequest || streaming || !channel.isActive()) {
      return;
    }
    log.debug(
        "request from {} incomplete after the request timeout; closing", channel.remoteAddress());
    inRequest = false;
    channel
        .writeAndFlush(
            Responses.fatal(
                new ApiError(
                    HttpResponseStatus.REQUEST_TIMEOUT,
                    "RequestTimeout",
                    "the request did not arrive completely within "
                        + settings.get().requestTimeout().toMillis()
                        + " ms")))
        .addListener(f -> channel.close());
  }

  private static void cancel(Timers.Handle h) {
    if (h != null) {
      h.cancel();
    }
  }
}
