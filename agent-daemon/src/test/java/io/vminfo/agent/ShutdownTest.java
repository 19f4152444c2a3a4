package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawFeed;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.core.testing.FakeVmSource;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graceful stop: feeds end cleanly, connections close, the port closes, the source stops. */
class ShutdownTest {
  @TempDir Path state;

  @Test
  void stopEndsFeedsClosesConnectionsAndTheSource() throws Exception {
    AgentHarness h = AgentHarness.start(state, TestVms.many(3));
    InetSocketAddress address = h.address();
    RawFeed feed = RawFeed.open(address, "");
    RawFeed feed2 = RawFeed.open(address, "?heartbeat=1");
    RawHttp idle = h.connect();
    idle.get("/ping");
    assertThat(idle.readResponse().status()).isEqualTo(200);
    feed.nextJson();
    feed2.nextJson();

    h.agent.stop();

    assertThat(h.agent.state()).isEqualTo(Agent.State.STOPPED);
    assertThat(h.agent.awaitStopped(Duration.ZERO)).isTrue();
    // The feeds got the end of the chunked body, then the connection closed.
    String line;
    while ((line = feed.nextLine()) != null) {
      assertThat(line).contains("heartbeat"); // nothing but a possible heartbeat before the end
    }
    assertThat(feed.http.sawLastChunk()).isTrue();
    assertThat(feed.http.awaitClosed(Duration.ofSeconds(10))).isTrue();
    assertThat(feed2.http.awaitClosed(Duration.ofSeconds(10))).isTrue();
    assertThat(idle.awaitClosed(Duration.ofSeconds(10))).isTrue();
    assertThat(h.source.isClosed()).isTrue();
    assertThatThrownBy(() -> RawHttp.connect(address)).isInstanceOf(ConnectException.class);
    // stop is idempotent
    h.agent.stop();
    feed.close();
    feed2.close();
    idle.close();
  }

  /** A probe holding a resource, as the libvirt one does (a libvirt connection). */
  private static final class ClosableProbe implements UsageProbe, AutoCloseable {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public VmUsage sample(Vm vm) {
      return VmUsage.EMPTY;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  @Test
  void stopClosesTheBackendsUsageProbeOnce() throws Exception {
    ClosableProbe probe = new ClosableProbe();
    FakeVmSource source = new FakeVmSource(TestVms.many(1), HostIdentity.unknown());
    AgentHarness h =
        AgentHarness.start(
            source,
            state,
            c -> {},
            null,
            b -> b.backendFactory(ctx -> new HostBackend(source, probe)));
    assertThat(probe.closes).hasValue(0);

    h.agent.stop();
    h.agent.stop();

    assertThat(probe.closes).as("closed on stop, and only once").hasValue(1);
  }

  @Test
  void aStartThatFailsCleansUpAndSaysWhy() throws Exception {
    Agent agent =
        Agent.builder(
                AgentConfig.builder()
                    .set("listen.port", "0")
                    .set("state_dir", state.toString())
                    .build())
            .backendFactory(
                ctx -> {
                  throw new java.io.IOException("no hypervisor here");
                })
            .build();
    assertThatThrownBy(agent::start).hasMessage("no hypervisor here");
    assertThat(agent.state()).isEqualTo(Agent.State.STOPPED);
    assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPortInUseIsAClearError() throws Exception {
    try (AgentHarness first = AgentHarness.start(state, TestVms.many(1))) {
      int port = first.address().getPort();
      Path other = state.resolve("other");
      assertThatThrownBy(
              () ->
                  AgentHarness.start(
                      other,
                      TestVms.many(1),
                      b -> b.set("listen.port", Integer.toString(port)),
                      null))
          .hasMessageContaining("cannot listen on 127.0.0.1:" + port);
    }
  }
}
