package io.vminfo.cli.testing;

import static org.awaitility.Awaitility.await;

import io.vminfo.agent.Agent;
import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.HostBackend;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.testing.FakeVmSource;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A real agent (agent-daemon) on an ephemeral loopback port, serving VMs from an in-memory host
 * ({@link FakeVmSource}) with a manual clock, so event dates in the CLI's output are exact. {@link
 * #restart()} stops it and starts a new one (a new epoch) on the same port.
 */
public final class TestAgent implements AutoCloseable {
  public final FakeVmSource source = new FakeVmSource();
  public final ManualClock clock;

  /** Drives the agent's usage recorder: nothing is sampled until a test advances it. */
  public final ManualScheduler usageTime;

  private final Path stateDir;
  private Agent agent;
  private int port;
  private Map<String, String> extra = Map.of();

  private TestAgent(Path stateDir, Instant start) {
    this.stateDir = stateDir;
    this.clock = new ManualClock(start);
    this.usageTime = new ManualScheduler(clock);
  }

  public static TestAgent start(Path stateDir, List<Vm> vms) throws Exception {
    return start(stateDir, vms, Instant.parse("2026-11-22T10:00:00.000Z"));
  }

  /** With more agent settings (e.g. {@code alarms.enabled}). */
  public static TestAgent startWith(Path stateDir, List<Vm> vms, Map<String, String> settings)
      throws Exception {
    TestAgent t = new TestAgent(stateDir, Instant.parse("2026-11-22T10:00:00.000Z"));
    t.extra = Map.copyOf(settings);
    vms.forEach(t.source::put);
    t.launch(0);
    return t;
  }

  public static TestAgent start(Path stateDir, List<Vm> vms, Instant clock) throws Exception {
    TestAgent t = new TestAgent(stateDir, clock);
    vms.forEach(t.source::put);
    t.launch(0);
    return t;
  }

  private void launch(int onPort) throws Exception {
    AgentConfig.Builder cb =
        AgentConfig.builder()
            .set("listen.port", Integer.toString(onPort))
            .set("state_dir", stateDir.toString())
            .set("http.threads", "2")
            .set("shutdown_timeout", "5s");
    extra.forEach(cb::set);
    AgentConfig config = cb.build();
    Agent a =
        Agent.builder(config)
            .backendFactory(ctx -> new HostBackend(source, UsageProbe.NONE))
            .clock(clock)
            .usageScheduler(usageTime)
            .env(Map.of())
            .build();
    a.start();
    agent = a;
    port = a.address().getPort();
  }

  public URI uri() {
    return agent.uri();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Agent agent() {
    return agent;
  }

  /** Changes (or creates) a VM on the host and waits until the agent has it. */
  public void apply(Vm vm) {
    source.put(vm);
    source.changed(vm.uuid());
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> agent.store().get(vm.uuid()).map(vm::equals).orElse(false));
  }

  /** Deletes a VM on the host and waits until the agent no longer has it. */
  public void delete(String uuid) {
    source.delete(uuid);
    source.changed(uuid);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> agent.store().get(uuid).isEmpty());
  }

  /** Waits until {@code n} event feed subscribers are connected. */
  public void awaitSubscribers(int n) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> agent.store().subscribers().size() == n);
  }

  public void stop() {
    agent.stop();
  }

  /** Stops this agent and starts a new one on the same port (a new run: a new epoch). */
  public void restart() throws Exception {
    agent.stop();
    launch(port);
  }

  /** Starts a new agent on the port of a stopped one. */
  public void startAgain() throws Exception {
    launch(port);
  }

  @Override
  public void close() {
    if (agent != null) {
      agent.stop();
    }
  }
}
