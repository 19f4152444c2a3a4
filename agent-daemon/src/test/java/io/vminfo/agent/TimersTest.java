package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawFeed;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats and connection timeouts, with time driven by a manual scheduler: nothing here waits
 * for real time to pass; the test moves the clock and checks what the server did.
 */
class TimersTest {
  @TempDir Path state;

  ManualClock clock;
  ManualScheduler timers;

  @BeforeEach
  void clock() {
    clock = ManualClock.at("2026-11-22T10:00:00Z");
    timers = new ManualScheduler(clock);
  }

  @Test
  void heartbeatLinesComeWhenTheFeedIsIdle() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(2), b -> {}, timers);
        RawFeed feed = RawFeed.open(h.address(), "?heartbeat=5")) {
      long rev = feed.nextJson().get("rev").asLong();
      awaitScheduled(1); // the heartbeat (a stream has no idle timer)
      timers.advance(Duration.ofSeconds(5));
      JsonNode hb = feed.nextJson();
      assertThat(FeedTest.keys(hb)).containsExactly("type", "date", "rev");
      assertThat(hb.get("type").textValue()).isEqualTo("heartbeat");
      assertThat(hb.get("date").textValue()).isEqualTo("2026-11-22T10:00:05.000Z");
      assertThat(hb.get("rev").asLong()).isEqualTo(rev);

      // An event in the interval: that tick sends no heartbeat; the next idle one does.
      h.apply(TestVms.vm(1).with(o -> o.put("quota", 42)));
      assertThat(feed.nextJson().get("type").textValue()).isEqualTo("modify");
      tick(5);
      h.apply(TestVms.vm(2).with(o -> o.put("quota", 43)));
      JsonNode next = feed.nextJson();
      assertThat(next.get("type").textValue()).isEqualTo("modify"); // no heartbeat before it
      assertThat(next.get("rev").asLong()).isEqualTo(rev + 2);
      tick(5); // skipped: the modify was written in this interval
      tick(5);
      JsonNode hb2 = feed.nextJson();
      assertThat(hb2.get("type").textValue()).isEqualTo("heartbeat");
      assertThat(hb2.get("rev").asLong()).isEqualTo(rev + 2);
    }
  }

  @Test
  void theConfiguredDefaultHeartbeatAppliesAndReloads() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(1), b -> {}, timers)) {
      ConfigReload r =
          h.agent.reload(
              h.agent.config().toBuilder()
                  .set("feed.default_heartbeat", "3s")
                  .set("listen.port", "1234")
                  .build());
      assertThat(r.applied()).containsExactly("feed.default_heartbeat");
      assertThat(r.needRestart()).containsExactly("listen.port");
      try (RawFeed feed = RawFeed.open(h.address(), "");
          RawFeed off = RawFeed.open(h.address(), "?heartbeat=0")) {
        feed.nextJson();
        off.nextJson();
        awaitScheduled(1); // one heartbeat; streams have no idle timer
        timers.advance(Duration.ofSeconds(3));
        assertThat(feed.nextJson().get("type").textValue()).isEqualTo("heartbeat");
        h.apply(TestVms.vm(9));
        assertThat(off.nextJson().get("type").textValue()).isEqualTo("create");
      }
    }
  }

  @Test
  void anIdleConnectionIsClosedButAStreamIsNot() throws Exception {
    try (AgentHarness h =
            AgentHarness.start(
                state, TestVms.many(1), b -> b.set("http.idle_timeout", "30s"), timers);
        RawHttp idle = h.connect();
        RawHttp used = h.connect();
        RawFeed feed = RawFeed.open(h.address(), "")) {
      feed.nextJson();
      await().until(() -> h.agent.store().subscribers().size() == 1);
      awaitScheduled(2); // the idle timers of `idle` and `used` (the feed's was cancelled)
      timers.advance(Duration.ofSeconds(20));
      used.get("/ping"); // t=20
      assertThat(used.readResponse().status()).isEqualTo(200);
      timers.advance(Duration.ofSeconds(10)); // t=30
      assertThat(idle.awaitClosed(Duration.ofSeconds(10))).isTrue();
      // `used` was active 10 s ago: still open (its check re-armed for t=50), and answers
      used.get("/ping"); // t=30
      assertThat(used.readResponse().status()).isEqualTo(200);
      awaitScheduled(1);
      timers.advance(Duration.ofSeconds(20)); // t=50: quiet 20 s, re-arms for t=60
      awaitScheduled(1);
      timers.advance(Duration.ofSeconds(10)); // t=60: quiet 30 s, closed
      assertThat(used.awaitClosed(Duration.ofSeconds(10))).isTrue();
      // the feed stays
      h.apply(TestVms.vm(3));
      assertThat(feed.nextJson().get("type").textValue()).isEqualTo("create");
    }
  }

  @Test
  void aRequestThatNeverCompletesGets408AndIsClosed() throws Exception {
    try (AgentHarness h =
            AgentHarness.start(
                state, TestVms.many(1), b -> b.set("http.request_timeout", "5s"), timers);
        RawHttp slowloris = h.connect()) {
      awaitScheduled(1);
      slowloris.send("GET /vms HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      awaitScheduled(2); // idle timer + request deadline
      timers.advance(Duration.ofSeconds(5));
      RawHttp.Response r = slowloris.readResponse();
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.json().get("code").textValue()).isEqualTo("RequestTimeout");
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(slowloris.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void halfOpenConnectionsAreReclaimed() throws Exception {
    try (AgentHarness h =
        AgentHarness.start(
            state, TestVms.many(1), b -> b.set("http.idle_timeout", "10s"), timers)) {
      List<RawHttp> silent = List.of(h.connect(), h.connect(), h.connect());
      awaitScheduled(3);
      // The peers went away without a FIN: the server only notices by its idle timeout.
      timers.advance(Duration.ofSeconds(10));
      for (RawHttp c : silent) {
        assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        c.close();
      }
      assertThat(h.get("/ping").status()).isEqualTo(200);
    }
  }

  /** Advances to the next heartbeat, once the previous tick has scheduled it. */
  private void tick(int seconds) {
    awaitScheduled(1);
    timers.advance(Duration.ofSeconds(seconds));
  }

  private void awaitScheduled(int n) {
    await().until(() -> timers.pendingCount() >= n);
  }
}
