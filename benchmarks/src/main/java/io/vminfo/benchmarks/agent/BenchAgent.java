package io.vminfo.benchmarks.agent;

import io.vminfo.agent.Agent;
import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.HostBackend;
import io.vminfo.core.UsageProbe;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real agent (HTTP server, store, feed) over a {@link SyntheticHost}. {@link #main} runs it as
 * its own process for footprint measurements: it prints {@code PORT <port>} once listening, then
 * obeys commands on stdin: {@code churn <count>} changes that many VMs, {@code quit} stops.
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
public final class BenchAgent implements AutoCloseable {
  public final SyntheticHost host;
  public final Agent agent;
  private final Path state;

  private BenchAgent(SyntheticHost host, Agent agent, Path state) {
    this.host = host;
    this.agent = agent;
    this.state = state;
  }

  public static BenchAgent start(int vms, int port, String... settings) throws Exception {
    SyntheticHost host = new SyntheticHost(vms);
    Path state = Files.createTempDirectory("vminfo-bench");
    AgentConfig.Builder b =
        AgentConfig.builder()
            .set("listen.port", Integer.toString(port))
            .set("state_dir", state.toString());
    for (int i = 0; i + 1 < settings.length; i += 2) {
      b.set(settings[i], settings[i + 1]);
    }
    Agent agent =
        Agent.builder(b.build())
            .backendFactory(ctx -> new HostBackend(host, UsageProbe.NONE))
            .build();
    agent.start();
    return new BenchAgent(host, agent, state);
  }

  public int port() {
    return agent.address().getPort();
  }

  @Override
  public void close() throws Exception {
    agent.stop();
    try (var files = Files.walk(state)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** {@code BenchAgent <vms>}: runs until {@code quit} or end of stdin. */
  public static void main(String[] args) throws Exception {
    int vms = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    try (BenchAgent a = start(vms, 0)) {
      System.out.println("PORT " + a.port());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      long gen = 0;
      String line;
      while ((line = in.readLine()) != null) {
        String[] cmd = line.trim().split("\\s+");
        if (cmd[0].equals("quit")) {
          break;
        }
        if (cmd[0].equals("churn")) {
          int count = Integer.parseInt(cmd[1]);
          for (int i = 0; i < count; i++) {
            gen++;
            a.host.change(1 + (int) (gen % vms), gen);
          }
          System.out.println("OK");
          System.out.flush();
        }
      }
    }
  }
}
