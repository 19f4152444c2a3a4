package io.vminfo.benchmarks.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An agent JVM for footprint measurements: the distribution's JVM flags (plus any {@code
 * --agent-jvm-flag F} of the driver's arguments) and {@code MALLOC_ARENA_MAX=2}, as {@code
 * bin/vminfod} runs it. The main class prints {@code PORT <port>} when listening and stops on
 * {@code quit}; other lines before the port (JVM messages) are passed to stderr.
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
final class AgentProcess implements AutoCloseable {
  final Process process;
  final BufferedReader out;
  final Writer in;
  final InetSocketAddress address;

  private AgentProcess(Process process, BufferedReader out, Writer in, int port) {
    this.process = process;
    this.out = out;
    this.in = in;
    this.address = new InetSocketAddress("127.0.0.1", port);
  }

  static AgentProcess start(String[] driverArgs, Class<?> main, String... mainArgs)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(AgentBenchmarks.AGENT_JVM_FLAGS);
    for (int i = 0; i + 1 < driverArgs.length; i++) {
      if (driverArgs[i].equals("--agent-jvm-flag")) {
        cmd.add(driverArgs[i + 1]); // extra flags for experiments (e.g. -Xlog:gc)
      }
    }
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(mainArgs));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("MALLOC_ARENA_MAX", "2"); // as bin/vminfod sets it
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
    String line = out.readLine();
    while (line != null && !line.startsWith("PORT ")) {
      System.err.println("agent: " + line);
      line = out.readLine();
    }
    if (line == null) {
      p.destroy();
      throw new IOException("agent did not start");
    }
    return new AgentProcess(p, out, in, Integer.parseInt(line.substring(5)));
  }

  long pid() {
    return process.pid();
  }

  /** Prints the agent's RSS (and peak). */
  void printRss(String what) throws IOException {
    long[] mem = AgentBenchmarks.rss(pid());
    AgentBenchmarks.print(
        "agent RSS %s: %.1f MiB (peak %.1f MiB)", what, mem[0] / 1048576.0, mem[1] / 1048576.0);
  }

  /** Measures and prints the agent's CPU over {@code seconds} of doing nothing. */
  void printIdleCpu(int seconds, int subscribers) throws IOException, InterruptedException {
    long before = AgentBenchmarks.cpuTicks(pid());
    long t0 = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long ticks = AgentBenchmarks.cpuTicks(pid()) - before;
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = ticks / 100.0; // USER_HZ
    AgentBenchmarks.print(
        "agent idle CPU over %.0f s with %d subscribers: %.2f s CPU = %.3f %% of one core",
        wall, subscribers, cpuSeconds, 100 * cpuSeconds / wall);
  }

  /** Asks the agent to stop, then makes sure it has. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      in.write("quit\n");
      in.flush();
      process.waitFor(30, TimeUnit.SECONDS);
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
