package io.vminfo.core.client;

import io.vminfo.core.FeedMessage;
import java.time.Duration;

/**
 * Receives an {@link EventStream}'s lines, one at a time, in order, on one of the client's threads.
 * Keep callbacks short: a listener that blocks holds back reading (and the agent cuts a subscriber
 * off that falls far behind; the stream then resumes where it left off).
 */
public interface FeedListener {
  /**
   * A full snapshot: replace everything you know with {@code ready.vms()}. Sent first, and again
   * whenever the stream could not resume after a reconnect ({@code ready.resync()} is then true, or
   * the agent does not support resuming).
   */
  void onReady(FeedMessage.Ready ready);

  /** A create, modify or delete after the last snapshot; none is skipped or repeated. */
  void onEvent(FeedMessage.Event event);

  /** The stream reconnected and resumed without a snapshot; events continue where they left off. */
  default void onResumed(FeedMessage.Resumed resumed) {}

  /** The agent is alive and the stream idle. */
  default void onHeartbeat(FeedMessage.Heartbeat heartbeat) {}

  /** The connection failed or ended; the stream reconnects after {@code reconnectIn}. */
  default void onDisconnected(Throwable cause, Duration reconnectIn) {}
}
