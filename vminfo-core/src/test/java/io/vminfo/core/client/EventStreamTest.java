package io.vminfo.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vminfo.core.FeedMessage;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event stream's reconnect and resume logic against a scripted server on a real socket. */
class EventStreamTest {
  static final String U1 = "5595d88c-6e4d-4bda-b58e-97dd02e32bec";
  static final String VM1 = "{\"uuid\":\"" + U1 + "\",\"zonename\":\"" + U1 + "\",\"quota\":10}";
  static final String VMS = "[" + VM1 + "]";

  FakeAgentServer server;
  ManualClock clock;
  ManualScheduler scheduler;
  VminfoClient client;
  Recorder rec = new Recorder();

  @BeforeEach
  void setUp() throws Exception {
    server = new FakeAgentServer();
    clock = ManualClock.at("2026-11-22T10:00:00Z");
    scheduler = new ManualScheduler(clock);
    client =
        VminfoClient.builder(server.uri())
            .scheduler(scheduler)
            .clock(clock)
            .userAgent("stream-test")
            .requestTimeout(Duration.ofSeconds(10))
            .maxLineBytes(4096)
            .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  static String ready(long rev, String epoch, boolean resync) {
    return "{\"type\":\"ready\",\"date\":\"2026-11-22T10:00:00.000Z\",\"uuid\":\"l1\",\"vms\":"
        + io.vminfo.core.internal.Json.NODES.textNode(VMS)
        + ",\"rev\":"
        + rev
        + ",\"epoch\":\""
        + epoch
        + "\""
        + (resync ? ",\"resync\":true" : "")
        + "}";
  }

  static String event(long rev, int quota) {
    return "{\"type\":\"modify\",\"date\":\"2026-11-22T10:00:01.000Z\",\"zonename\":\""
        + U1
        + "\",\"uuid\":\""
        + U1
        + "\",\"vm\":{\"uuid\":\""
        + U1
        + "\",\"quota\":"
        + quota
        + "},\"changes\":[{\"prettyPath\":\"quota\",\"path\":[\"quota\"],\"action\":\"changed\","
        + "\"oldValue\":1,\"newValue\":"
        + quota
        + "}],\"rev\":"
        + rev
        + "}";
  }

  static String resumed(long rev, String epoch) {
    return "{\"type\":\"resumed\",\"date\":\"2026-11-22T10:00:02.000Z\",\"uuid\":\"l2\",\"rev\":"
        + rev
        + ",\"epoch\":\""
        + epoch
        + "\"}";
  }

  EventStream open(EventStreamOptions options) {
    return client.events(options.withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)), rec);
  }

  /** Lets the scheduled reconnect run. */
  void reconnect() {
    await().until(() -> scheduler.pendingCount() >= 1);
    scheduler.advance(Duration.ofSeconds(1));
  }

  @Test
  void resumesAfterADisconnectWithSinceAndEpoch() throws Exception {
    server.replies.add(FakeAgentServer.Reply.stream(false, ready(5, "E1", false), event(6, 11)));
    server.replies.add(FakeAgentServer.Reply.stream(true, resumed(6, "E1"), event(7, 12)));
    try (EventStream s = open(EventStreamOptions.defaults().withoutHeartbeat())) {
      assertThat(server.nextRequest()).isEqualTo("/events UA=stream-test");
      await().until(() -> rec.lines.size() >= 3);
      reconnect();
      assertThat(server.nextRequest()).isEqualTo("/events?since=6&epoch=E1 UA=stream-test");
      await().until(() -> rec.lines.size() >= 5);
      assertThat(rec.lines)
          .containsExactly("ready 5 E1 vms=1", "event 6", "disconnected", "resumed 6", "event 7");
      assertThat(s.resumePoint()).contains(new ResumePoint(7, "E1"));
      assertThat(s.isConnected()).isTrue();
    }
  }

  @Test
  void aResyncIsASnapshotThatReplacesState() throws Exception {
    server.replies.add(FakeAgentServer.Reply.stream(false, ready(5, "E1", false)));
    server.replies.add(FakeAgentServer.Reply.stream(true, ready(0, "E2", true), event(1, 3)));
    try (EventStream s =
        open(EventStreamOptions.defaults().withoutHeartbeat().withUuids(java.util.Set.of(U1)))) {
      assertThat(server.nextRequest()).isEqualTo("/events?uuid=" + U1 + " UA=stream-test");
      await().until(() -> rec.lines.size() >= 2);
      reconnect();
      assertThat(server.nextRequest()).contains("since=5&epoch=E1");
      await().until(() -> rec.lines.size() >= 4);
      assertThat(rec.lines)
          .containsExactly(
              "ready 5 E1 vms=1", "disconnected", "ready 0 E2 vms=1 resync", "event 1");
      assertThat(s.resumePoint()).contains(new ResumePoint(1, "E2"));
    }
  }

  @Test
  @SuppressWarnings("try") // the resource is held for its side effect, not used
  void aGapIsNeverPassedOnTheStreamReconnectsFromTheLastGoodRevision() throws Exception {
    server.replies.add(
        FakeAgentServer.Reply.stream(true, ready(5, "E1", false), event(6, 1), event(8, 2)));
    server.replies.add(FakeAgentServer.Reply.stream(true, resumed(6, "E1"), event(7, 3)));
    try (EventStream s = open(EventStreamOptions.defaults().withoutHeartbeat())) {
      server.nextRequest();
      await().until(() -> rec.lines.size() >= 3);
      assertThat(rec.lines).containsExactly("ready 5 E1 vms=1", "event 6", "disconnected");
      assertThat(rec.causes.get(0)).hasMessageContaining("skipped events");
      reconnect();
      assertThat(server.nextRequest()).contains("since=6&epoch=E1");
      await().until(() -> rec.lines.size() >= 5);
      assertThat(rec.lines.subList(3, 5)).containsExactly("resumed 6", "event 7");
    }
  }

  @Test
  void errorAnswersAndBadLinesReconnectWithBackoff() throws Exception {
    server.replies.add(
        FakeAgentServer.Reply.status(
            503, "{\"code\":\"ServiceUnavailable\",\"message\":\"too many event subscribers\"}"));
    server.replies.add(FakeAgentServer.Reply.stream(true, "not json"));
    server.replies.add(FakeAgentServer.Reply.stream(true, "x".repeat(5000)));
    server.replies.add(FakeAgentServer.Reply.stream(true, ready(1, "E", false)));
    try (EventStream s = open(EventStreamOptions.defaults().withoutHeartbeat())) {
      server.nextRequest();
      await().until(() -> rec.causes.size() == 1);
      assertThat(rec.causes.get(0))
          .isInstanceOf(VminfoApiException.class)
          .hasMessageContaining("ServiceUnavailable");
      reconnect();
      server.nextRequest();
      await().until(() -> rec.causes.size() == 2);
      assertThat(rec.causes.get(1)).hasMessageContaining("bad line");
      reconnect();
      server.nextRequest();
      await().until(() -> rec.causes.size() == 3);
      assertThat(rec.causes.get(2)).hasMessageContaining("longer than 4096");
      reconnect();
      server.nextRequest();
      assertThat(s.awaitStarted(Duration.ofSeconds(20))).isTrue();
      assertThat(rec.lines).as(rec.lines + " " + rec.causes).contains("ready 1 E vms=1");
    }
  }

  @Test
  void aSilentConnectionIsReplacedAfterThreeMissedHeartbeats() throws Exception {
    server.replies.add(FakeAgentServer.Reply.stream(true, ready(3, "E", false)));
    server.replies.add(FakeAgentServer.Reply.stream(true, resumed(3, "E")));
    try (EventStream s = open(EventStreamOptions.defaults().withHeartbeat(Duration.ofSeconds(2)))) {
      assertThat(server.nextRequest()).isEqualTo("/events?heartbeat=2 UA=stream-test");
      assertThat(s.awaitStarted(Duration.ofSeconds(20))).isTrue();
      await().until(() -> scheduler.pendingCount() == 1); // the watchdog
      scheduler.advance(Duration.ofSeconds(6));
      assertThat(rec.lines).doesNotContain("disconnected");
      scheduler.advance(Duration.ofSeconds(2));
      await().until(() -> rec.lines.contains("disconnected"));
      assertThat(rec.causes.get(0)).isInstanceOf(VminfoTimeoutException.class);
      reconnect();
      assertThat(server.nextRequest())
          .isEqualTo("/events?heartbeat=2&since=3&epoch=E" + " UA=stream-test");
      await().until(() -> rec.lines.contains("resumed 3"));
    }
  }

  @Test
  void closeStopsEverything() throws Exception {
    server.replies.add(FakeAgentServer.Reply.stream(true, ready(1, "E", false)));
    EventStream s = open(EventStreamOptions.defaults().withoutHeartbeat());
    assertThat(s.awaitStarted(Duration.ofSeconds(20))).isTrue();
    s.close();
    assertThat(s.isConnected()).isFalse();
    assertThat(scheduler.pendingCount()).isZero();
    assertThat(s.awaitStarted(Duration.ZERO)).isFalse();
    assertThatThrownBy(
            () -> {
              client.close();
              client.events(EventStreamOptions.defaults(), rec);
            })
        .isInstanceOf(IllegalStateException.class);
  }

  /** Records what the listener saw, as short strings. */
  static final class Recorder implements FeedListener {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<Throwable> causes = new CopyOnWriteArrayList<>();

    @Override
    public void onReady(FeedMessage.Ready r) {
      lines.add(
          "ready "
              + r.rev().orElse(-1)
              + " "
              + r.epoch().orElse("-")
              + " vms="
              + r.vms().size()
              + (r.resync() ? " resync" : ""));
    }

    @Override
    public void onEvent(FeedMessage.Event e) {
      lines.add("event " + e.rev().orElse(-1));
    }

    @Override
    public void onResumed(FeedMessage.Resumed r) {
      lines.add("resumed " + r.rev().orElse(-1));
    }

    @Override
    public void onDisconnected(Throwable cause, Duration reconnectIn) {
      lines.add("disconnected");
      causes.add(cause);
    }
  }
}
