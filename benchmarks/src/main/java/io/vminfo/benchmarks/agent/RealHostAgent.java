package io.vminfo.benchmarks.agent;

import io.vminfo.agent.Agent;
import io.vminfo.agent.AgentConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The agent exactly as {@code vminfod} wires it (default backend factory: the real SmartOS backend
 * with inotify, the real usage recorder with a local store), on a host tree given on the command
 * line. Runs as its own process for {@link RealHostBenchmarks}: prints {@code PORT <port>} once
 * listening, stops on {@code quit} or end of stdin. (Not {@code AgentMain} itself: the benchmarks
 * classpath logs through slf4j-simple, not Logback.)
 *
 * <pre>RealHostAgent &lt;host root&gt; &lt;state dir&gt;</pre>
 */
public final class RealHostAgent {
  private RealHostAgent() {}

  public static void main(String[] args) throws Exception {
    AgentConfig config =
        AgentConfig.builder()
            .set("listen.port", "0")
            .set("host_root", args[0])
            .set("state_dir", args[1])
            .set("backend", "smartos")
            .build();
    Agent agent = Agent.builder(config).build();
    agent.start();
    try {
      System.out.println("PORT " + agent.address().getPort());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
        // wait
      }
    } finally {
      agent.stop();
    }
  }
}
