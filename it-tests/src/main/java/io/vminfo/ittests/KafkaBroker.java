package io.vminfo.ittests;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real one-node Apache Kafka (KRaft, combined broker and controller, no ZooKeeper) in a child JVM
 * run from the Maven jars on this JVM's class path ({@code kafka_2.13} is a test dependency of
 * it-tests). The storage is formatted once ({@code kafka.tools.StorageTool format}), then {@code
 * kafka.Kafka server.properties} runs. Ports are picked once, so {@link #restart()} after {@link
 * #kill()} or {@link #stop} comes back on the same address with the same data, as a real broker
 * outage would. Topic auto-creation is off: clients must create their topics. Output goes to {@code
 * <dir>/broker-<n>.log}; {@link #tail} shows it for a failed test.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start(tmp.resolve("kafka"), Duration.ofSeconds(60))) {
 *   String servers = kafka.bootstrapServers();
 *   kafka.kill();                         // SIGKILL
 *   kafka.restart();                      // same port, same log dirs
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {
  private final Path dir;
  private final Path properties;
  private final int brokerPort;
  private final Duration startTimeout;
  private final List<String> classPath;
  private Process process;
  private Path logFile;
  private int starts;

  private KafkaBroker(Path dir, Duration startTimeout) throws IOException {
    this.dir = dir;
    this.startTimeout = startTimeout;
    this.classPath = kafkaClassPath();
    Files.createDirectories(dir);
    this.brokerPort = freePort();
    int controllerPort = freePort();
    while (controllerPort == brokerPort) {
      controllerPort = freePort();
    }
    this.properties = dir.resolve("server.properties");
    Files.writeString(
        properties,
        serverProperties(dir.resolve("data"), brokerPort, controllerPort),
        StandardCharsets.UTF_8);
  }

  /**
   * Formats a new storage under {@code dir}, starts the broker and waits until it serves clients.
   */
  public static KafkaBroker start(Path dir, Duration startTimeout)
      throws IOException, InterruptedException, TimeoutException {
    KafkaBroker b = new KafkaBroker(dir, startTimeout);
    try {
      b.format();
      b.restart();
    } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  private static String serverProperties(Path data, int brokerPort, int controllerPort) {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:"
            + brokerPort
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs=" + data,
        "auto.create.topics.enable=false",
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        // the test's machine is small and shared: fewer threads, quicker shutdown after SIGTERM
        "num.network.threads=2",
        "num.io.threads=2",
        "controlled.shutdown.enable=true",
        "");
  }

  /**
   * This JVM's class path (surefire/failsafe put the test class path there), which holds
   * kafka_2.13.
   */
  private static List<String> kafkaClassPath() {
    String cp = System.getProperty("java.class.path", "");
    List<String> entries = List.of(cp.split(File.pathSeparator));
    if (entries.stream().noneMatch(e -> e.contains("kafka_2.13"))) {
      throw new IllegalStateException(
          "kafka_2.13 is not on the class path ("
              + entries.size()
              + " entries): add org.apache.kafka:kafka_2.13 as a test dependency");
    }
    return entries;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            // the test class path's simplelogger.properties quiets the ITs' own clients, not the
            // broker
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info"));
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classPath));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
  }

  private void format() throws IOException, InterruptedException, TimeoutException {
    Path log = dir.resolve("format.log");
    Process p =
        java(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                properties.toString())
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new TimeoutException(
          "kafka storage format did not end within "
              + startTimeout
              + ":\n"
              + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "kafka storage format exited " + p.exitValue() + ":\n" + Files.readString(log));
    }
  }

  /** Starts the broker (again) on the same port and data and waits until it answers. */
  public synchronized void restart() throws IOException, InterruptedException, TimeoutException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the broker is running");
    }
    starts++;
    logFile = dir.resolve("broker-" + starts + ".log");
    process = java("kafka.Kafka", properties.toString()).redirectOutput(logFile.toFile()).start();
    awaitReady();
  }

  private void awaitReady() throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    Exception last = null;
    Admin admin = admin();
    try {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "the broker exited " + process.exitValue() + " while starting:" + tail(60));
        }
        try {
          int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
          if (nodes > 0) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
        // doubles as the pause between attempts: a broker that dies while starting ends the wait
        process.waitFor(200, TimeUnit.MILLISECONDS);
      }
    } finally {
      admin.close(Duration.ofSeconds(5)); // close() alone waits without a bound
    }
    throw new TimeoutException(
        "the broker did not serve clients within "
            + startTimeout
            + " (last: "
            + last
            + "):"
            + tail(60));
  }

  /** An admin client of this broker with short timeouts; the caller closes it (with a timeout). */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    return Admin.create(p);
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL: a broker crash (no controlled shutdown, unflushed log tails). */
  public synchronized int kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "the broker (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
    return process.exitValue();
  }

  /** SIGTERM and wait (a controlled shutdown); killed when it takes longer than {@code timeout}. */
  public synchronized int stop(Duration timeout) throws InterruptedException {
    process.toHandle().destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return kill();
    }
    return process.exitValue();
  }

  public Path logFile() {
    return logFile;
  }

  /** The last {@code n} lines of the current broker log, for an assertion message. */
  public synchronized String tail(int n) {
    if (logFile == null || !Files.exists(logFile)) {
      return "\n(no broker log)";
    }
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return "\n--- "
          + logFile
          + " (last "
          + n
          + " lines) ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (process != null && process.isAlive()) {
      try {
        stop(Duration.ofSeconds(20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.toHandle().destroyForcibly();
      }
    }
  }

  @Override
  public String toString() {
    return "kafka " + bootstrapServers() + " in " + dir;
  }
}
