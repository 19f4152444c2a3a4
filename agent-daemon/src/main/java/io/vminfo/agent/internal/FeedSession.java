package io.vminfo.agent.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vminfo.core.FeedCodec;
import io.vminfo.core.Subscription;
import io.vminfo.core.SubscriptionStart;
import io.vminfo.core.VmEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code /events} connection (DESIGN section 4): the {@code ready} (or {@code resumed}) line,
 * then the subscription's events, written on the channel's event loop.
 *
 * <p>Back-pressure: events are drained from the store's bounded per-subscriber queue only while the
 * channel is writable (below Netty's high water mark). A reader that stops reading makes the
 * channel unwritable, draining stops, the store's queue fills up to its bound and the store cuts
 * the subscriber off; this connection then closes at once. So a slow subscriber costs at most its
 * queue bound plus one socket buffer, and never slows the store or the other subscribers. Event
 * bytes are the store's shared serialized lines, wrapped without copying.
 */
public final class FeedSession {
  private static final Logger log = LoggerFactory.getLogger(FeedSession.class);
  private static final int BATCH = 64;

  /** Bytes of the ready line written per chunk while the channel is writable. */
  private static final int SNAPSHOT_CHUNK = 64 * 1024;

  private final Channel channel;
  private final Subscription subscription;
  private final String epoch;
  private final Clock clock;
  private final Timers timers;
  private final Optional<Duration> heartbeat;
  private final FeedRegistry registry;
  private final boolean chunked;
  private final ReadyLines readyLines;
  private List<byte[]> snapshot; // ready-line pieces not written yet; null when done
  private int snapshotNext;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private long lastWrittenRev;
  private boolean wroteSinceTick;
  private boolean ended;
  private Timers.Handle heartbeatTimer;

  public FeedSession(
      Channel channel,
      Subscription subscription,
      String epoch,
      Clock clock,
      Timers timers,
      Optional<Duration> heartbeat,
      FeedRegistry registry,
      boolean chunked,
      ReadyLines readyLines) {
    this.channel = channel;
    this.subscription = subscription;
    this.epoch = epoch;
    this.clock = clock;
    this.timers = timers;
    this.heartbeat = heartbeat;
    this.registry = registry;
    this.chunked = chunked;
    this.readyLines = readyLines;
  }

  /** Writes the response head and first line, then follows the subscription. On the event loop. */
  public void start() {
    HttpResponse head =
        new DefaultHttpResponse(
            chunked ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set("X-Vminfo-Epoch", epoch);
    if (chunked) {
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    channel.write(head);
    SubscriptionStart start = subscription.start();
    if (start instanceof SubscriptionStart.Snapshot s) {
      snapshot =
          readyLines.pieces(
              subscription.id(), s.vms(), s.rev(), epoch, clock.instant(), s.resync());
      snapshotNext = 0;
      s.resyncReason()
          .ifPresent(r -> log.info("feed subscriber {} resynced: {}", subscription.id(), r));
    } else {
      channel.write(
          new DefaultHttpContent(
              Unpooled.wrappedBuffer(
                  FeedCodec.resumedLine(subscription.id(), start.rev(), epoch, clock.instant()))));
    }
    lastWrittenRev = start.rev();
    channel.closeFuture().addListener(f -> onClosed());
    writeSnapshot();
    channel.flush();
    subscription.onAvailable(this::wake);
    heartbeat.ifPresent(this::scheduleHeartbeat);
  }

  /**
   * Writes ready-line pieces while the channel is writable. A slow reader keeps the rest here
   * (shared bytes, no copy) instead of in Netty's buffers; its events wait in its bounded queue.
   */
  private void writeSnapshot() {
    while (snapshot != null && channel.isWritable()) {
      CompositeByteBuf chunk = Unpooled.compositeBuffer(Integer.MAX_VALUE);
      while (snapshotNext < snapshot.size() && chunk.readableBytes() < SNAPSHOT_CHUNK) {
        chunk.addComponent(true, Unpooled.wrappedBuffer(snapshot.get(snapshotNext++)));
      }
      channel.write(new DefaultHttpContent(chunk));
      if (snapshotNext == snapshot.size()) {
        snapshot = null;
      }
    }
  }

  /** The channel's writability changed; resume draining if it can take more. */
  public void writabilityChanged() {
    if (channel.isWritable()) {
      drain();
    }
  }

  public String id() {
    return subscription.id();
  }

  private void wake() {
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(this::drain);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    if (ended) {
      return;
    }
    if (snapshot != null) {
      if (subscription.state() != Subscription.State.OPEN) {
        end(subscription.state()); // cut off (or closing) while still reading the snapshot
        return;
      }
      writeSnapshot();
      channel.flush();
      if (snapshot != null) {
        return; // events follow the whole ready line
      }
    }
    boolean wrote = false;
    while (channel.isWritable()) {
      List<VmEvent> batch = subscription.drain(BATCH);
      if (batch.isEmpty()) {
        break;
      }
      ByteBuf data;
      if (batch.size() == 1) {
        data = Unpooled.wrappedBuffer(batch.get(0).lineBuffer());
      } else {
        CompositeByteBuf c = Unpooled.compositeBuffer(batch.size());
        for (VmEvent e : batch) {
          c.addComponent(true, Unpooled.wrappedBuffer(e.lineBuffer()));
        }
        data = c;
      }
      channel.write(new DefaultHttpContent(data));
      lastWrittenRev = batch.get(batch.size() - 1).rev();
      wrote = true;
    }
    if (wrote) {
      wroteSinceTick = true;
      channel.flush();
    }
    Subscription.State state = subscription.state();
    if (state != Subscription.State.OPEN && subscription.queuedEvents() == 0) {
      end(state);
    }
  }

  private void end(Subscription.State state) {
    if (ended) {
      return;
    }
    ended = true;
    cancelHeartbeat();
    registry.remove(subscription.id());
    if (state == Subscription.State.CUT_OFF) {
      registry.countCutOff();
      // Anything still buffered is dropped: the client resumes from the last line it received.
      channel.close();
    } else {
      channel
          .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void onClosed() {
    ended = true;
    cancelHeartbeat();
    registry.remove(subscription.id());
    subscription.close();
  }

  private void scheduleHeartbeat(Duration every) {
    heartbeatTimer =
        timers.schedule(
            channel,
            every,
            () -> {
              if (ended || !channel.isActive()) {
                return;
              }
              if (!wroteSinceTick && snapshot == null && channel.isWritable()) {
                // The revision this subscriber has been sent up to: with filters it may lag the
                // store,
                // but it is never ahead of what the client has, so resuming from it loses nothing.
                channel.writeAndFlush(
                    new DefaultHttpContent(
                        Unpooled.wrappedBuffer(
                            FeedCodec.heartbeatLine(lastWrittenRev, clock.instant()))));
              }
              wroteSinceTick = false;
              scheduleHeartbeat(every);
            });
  }

  private void cancelHeartbeat() {
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
    }
  }
}
