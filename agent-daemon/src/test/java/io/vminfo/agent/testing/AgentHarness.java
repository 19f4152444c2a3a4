package io.vminfo.agent.testing;

import io.vminfo.agent.Agent;
import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.HostBackend;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.testing.FakeVmSource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** A real agent on an ephemeral loopback port, serving a {@link FakeVmSource}. */
public final class AgentHarness implements AutoCloseable {
  public final FakeVmSource source;
  public final Agent agent;

  private AgentHarness(FakeVmSource source, Agent agent) {
    this.source = source;
    this.agent = agent;
  }

  /** Starts an agent with {@code vms}; {@code tweak} adjusts the config (port 0, temp state). */
  public static AgentHarness start(
      Path stateDir,
      List<Vm> vms,
      Consumer<AgentConfig.Builder> tweak,
      ScheduledExecutorService timers)
      throws Exception {
    return start(new FakeVmSource(vms, HostIdentity.unknown()), stateDir, tweak, timers);
  }

  public static AgentHarness start(
      FakeVmSource source,
      Path stateDir,
      Consumer<AgentConfig.Builder> tweak,
      ScheduledExecutorService timers)
      throws Exception {
    return start(source, stateDir, tweak, timers, b -> {});
  }

  /** As above; {@code agentTweak} adjusts the agent builder (e.g. a manual usage scheduler). */
  public static AgentHarness start(
      FakeVmSource source,
      Path stateDir,
      Consumer<AgentConfig.Builder> tweak,
      ScheduledExecutorService timers,
      Consumer<Agent.Builder> agentTweak)
      throws Exception {
    AgentConfig.Builder cb =
        AgentConfig.builder()
            .set("listen.port", "0")
            .set("state_dir", stateDir.toString())
            .set("http.threads", "2")
            .set("shutdown_timeout", "5s");
    tweak.accept(cb);
    Agent.Builder ab =
        Agent.builder(cb.build())
            .backendFactory(ctx -> new HostBackend(source, UsageProbe.NONE))
            .env(Map.of());
    if (timers != null) {
      ab.timerScheduler(timers);
      if (timers instanceof io.vminfo.core.testing.ManualScheduler manual) {
        ab.clock(manual.clock());
      }
    }
    agentTweak.accept(ab);
    Agent agent = ab.build();
    agent.start();
    return new AgentHarness(source, agent);
  }

  public static AgentHarness start(Path stateDir, List<Vm> vms) throws Exception {
    return start(stateDir, vms, b -> {}, null);
  }

  public InetSocketAddress address() {
    return agent.address();
  }

  public URI uri() {
    return agent.uri();
  }

  public RawHttp connect() throws java.io.IOException {
    return RawHttp.connect(address());
  }

  /** Sends one GET on a fresh connection and reads the whole answer. */
  public RawHttp.Response get(String target) throws java.io.IOException {
    try (RawHttp c = connect()) {
      c.send("GET " + target + " HTTP/1.1\r\nHost: test\r\nUser-Agent: agent-test\r\n\r\n");
      return c.readResponse();
    }
  }

  /**
   * Changes a VM on the fake host and waits until the store has it. (Changes to one VM made faster
   * than the agent applies them coalesce into fewer events, as they would on a real host.)
   */
  public void apply(Vm vm) {
    source.apply(vm);
    org.awaitility.Awaitility.await()
        .pollDelay(java.time.Duration.ZERO)
        .pollInterval(java.time.Duration.ofMillis(1))
        .until(() -> agent.store().get(vm.uuid()).map(vm::equals).orElse(false));
  }

  /** Deletes a VM on the fake host and waits until the store no longer has it. */
  public void delete(String uuid) {
    source.remove(uuid);
    org.awaitility.Awaitility.await()
        .pollDelay(java.time.Duration.ZERO)
        .pollInterval(java.time.Duration.ofMillis(1))
        .until(() -> agent.store().get(uuid).isEmpty());
  }

  @Override
  public void close() {
    agent.stop();
  }
}
