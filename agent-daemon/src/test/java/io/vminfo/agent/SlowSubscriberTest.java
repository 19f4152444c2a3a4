package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawFeed;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.SubscriberInfo;
import io.vminfo.core.Vm;
import io.vminfo.core.internal.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscriber that never reads: the agent stops writing to it once its socket is full, its queue
 * in the store stays within the configured bound, it is cut off, and a reading subscriber gets
 * every event regardless.
 */
class SlowSubscriberTest {
  private static final int EVENTS = 800;
  private static final long BUFFER_BYTES = 1024 * 1024;

  @TempDir Path state;

  @Test
  void aSubscriberThatNeverReadsIsCutOffAndOthersContinue() throws Exception {
    String big = "x".repeat(16 * 1024);
    List<Vm> vms = List.of(TestVms.vm(1).with(o -> o.put("note", big)));
    try (AgentHarness h =
        AgentHarness.start(
            state,
            vms,
            b ->
                b.set("feed.subscriber_buffer_events", "100")
                    .set("feed.subscriber_buffer_bytes", Long.toString(BUFFER_BYTES)),
            null)) {
      RawHttp slow = RawHttp.connectSmallBuffer(h.address());
      slow.get("/events");
      ExecutorService reader = Executors.newSingleThreadExecutor();
      try (RawFeed fast = RawFeed.open(h.address(), "")) {
        JsonNode ready = fast.nextJson();
        long rev0 = ready.get("rev").asLong();
        String fastId = ready.get("uuid").textValue();
        await().until(() -> h.agent.store().subscribers().size() == 2);
        String slowId =
            h.agent.store().subscribers().stream()
                .map(SubscriberInfo::id)
                .filter(id -> !id.equals(fastId))
                .findFirst()
                .orElseThrow();

        AtomicLong fastRev = new AtomicLong(rev0);
        Future<Long> fastResult =
            reader.submit(
                () -> {
                  long expect = rev0 + 1;
                  while (expect <= rev0 + EVENTS) {
                    JsonNode e = fast.nextJson();
                    assertThat(e.get("rev").asLong()).isEqualTo(expect);
                    fastRev.set(expect);
                    expect++;
                  }
                  return expect - 1;
                });

        AtomicLong maxQueued = new AtomicLong();
        for (int i = 1; i <= EVENTS; i++) {
          final int q = i;
          h.apply(
              TestVms.vm(1)
                  .with(
                      o -> {
                        o.put("note", big);
                        o.put("quota", q);
                      }));
          for (SubscriberInfo s : h.agent.store().subscribers()) {
            maxQueued.accumulateAndGet(s.queuedBytes(), Math::max);
          }
          // The reading subscriber is kept well within its bound, so only the other is cut off.
          final long sent = rev0 + i;
          await()
              .pollDelay(Duration.ZERO)
              .pollInterval(Duration.ofMillis(1))
              .until(() -> fastRev.get() >= sent - 5 || fastResult.isDone());
        }
        assertThat(fastResult.get(60, TimeUnit.SECONDS)).isEqualTo(rev0 + EVENTS);
        // The slow one was cut off: the server closed its connection and forgot it.
        assertThat(slow.awaitClosed(Duration.ofSeconds(30))).isTrue();
        await()
            .until(
                () -> h.agent.store().subscribers().stream().noneMatch(s -> s.id().equals(slowId)));
        assertThat(maxQueued.get()).isLessThanOrEqualTo(BUFFER_BYTES);
        JsonNode status = h.get("/status").json();
        assertThat(status.get("feed").get("subscribersCutOff").asLong()).isEqualTo(1);
        assertThat(status.get("eventsListeners").has(slowId)).isFalse();
        assertThat(h.get("/metrics").text()).contains("vminfo_feed_subscribers_cut_off_total 1.0");
        // The fast subscriber is still live.
        h.apply(TestVms.vm(2));
        assertThat(Json.string(fast.nextJson().get("type"))).isEqualTo("\"create\"");
      } finally {
        reader.shutdownNow();
        slow.close();
      }
    }
  }

  @Test
  void aSubscriberStuckInItsSnapshotIsCutOffToo() throws Exception {
    String note = "z".repeat(8 * 1024);
    List<Vm> vms = new java.util.ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      vms.add(TestVms.vm(i).with(o -> o.put("note", note))); // an ~9 MB ready line
    }
    try (AgentHarness h =
            AgentHarness.start(
                state, vms, b -> b.set("feed.subscriber_buffer_events", "20"), null);
        RawHttp stuck = RawHttp.connectSmallBuffer(h.address())) {
      stuck.get("/events");
      await().until(() -> h.agent.store().subscribers().size() == 1);
      for (int i = 1; i <= 30; i++) {
        final int q = i;
        h.apply(TestVms.vm(1).with(o -> o.put("quota", q)));
      }
      await().until(() -> h.agent.store().subscribers().isEmpty());
      assertThat(h.agent.store().stats().subscribersCutOff()).isEqualTo(1);
      // The connection is dropped without waiting for the client to read the rest of its
      // snapshot (it still has not read a byte).
      await().until(() -> h.get("/status").json().get("feed").get("subscribers").asInt() == 0);
      assertThat(stuck.awaitClosed(Duration.ofSeconds(30))).isTrue();
    }
  }
}
