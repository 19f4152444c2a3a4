package io.vminfo.ittests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.ittests.internal.Signals;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged agent ({@code bin/vminfod} of an {@link AgentDistribution}) as a real OS process.
 * {@link Builder#start()} writes the configuration to a JSON file, starts the process with {@code
 * listen.port} 0 unless told otherwise, learns the bound port from the agent's "ready on" log line,
 * and returns once {@code GET /ping} answers {@code {"ping":"pong"}}. Its stdout (JSON log lines)
 * and stderr are captured in memory and teed to {@code <workDir>/logs/agent-<n>.log}. One builder
 * starts any number of processes in turn (same configuration, same state directory): what a
 * crash-and-restart test needs.
 *
 * <pre>{@code
 * AgentProcess.Builder agent = AgentProcess.builder(workDir)
 *     .set("host_root", tree.root()).set("usage.interval", "1s");
 * try (AgentProcess p = agent.start()) {
 *   JsonNode vms = p.getJson("/vms");
 *   p.kill();                              // SIGKILL
 * }
 * }</pre>
 */
public final class AgentProcess implements AutoCloseable {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern READY =
      Pattern.compile("ready on http://(\\[[0-9a-fA-F:.]+\\]|[0-9.]+):(\\d+)/");

  /** Lines kept in memory per process; older ones are only in the log file. */
  private static final int MAX_LINES = 200_000;

  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A generation line of {@code jcmd GC.heap_info} (Serial, Parallel: "... generation total NK,
   * used NK").
   */
  private static final Pattern GENERATION_USED =
      Pattern.compile("(?:generation|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K");

  /** One client for every process: the JDK's HttpClient cannot be closed on Java 17. */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private final Process process;
  private final int sequence;
  private final Path logFile;
  private final List<AgentLogLine> lines = new ArrayList<>();
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private final BufferedWriter logWriter;
  private int droppedLines;
  private volatile URI uri;

  private AgentProcess(Process process, int sequence, Path logFile) throws IOException {
    this.process = process;
    this.sequence = sequence;
    this.logFile = logFile;
    this.logWriter =
        Files.newBufferedWriter(
            logFile,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING);
    this.stdoutReader = reader(process.getInputStream(), AgentLogLine.Stream.STDOUT);
    this.stderrReader = reader(process.getErrorStream(), AgentLogLine.Stream.STDERR);
  }

  /**
   * A builder whose processes keep their config file, logs and (default) state in {@code workDir}.
   */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  // ------------------------------------------------------------------ identity

  public long pid() {
    return process.pid();
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public URI uri() {
    URI u = uri;
    if (u == null) {
      throw new IllegalStateException("agent #" + sequence + " is not ready yet");
    }
    return u;
  }

  public int port() {
    return uri().getPort();
  }

  /** Which start of its builder this process is (1, 2, ...). */
  public int sequence() {
    return sequence;
  }

  public Path logFile() {
    return logFile;
  }

  // ------------------------------------------------------------------ logs

  /** Every line captured so far (stdout and stderr, in arrival order). */
  public synchronized List<AgentLogLine> logLines() {
    return List.copyOf(lines);
  }

  /** Lines matching {@code filter}. */
  public synchronized List<AgentLogLine> logLines(Predicate<AgentLogLine> filter) {
    return lines.stream().filter(filter).toList();
  }

  /**
   * Waits until a line matches; throws with the log tail on timeout or when the process ends first.
   */
  public AgentLogLine awaitLog(Predicate<AgentLogLine> filter, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (filter.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              "agent #" + sequence + ": no matching log line within " + timeout + tail(40));
        }
        if (!process.isAlive() && !stdoutReader.isAlive() && !stderrReader.isAlive()) {
          throw new IllegalStateException(
              "agent #"
                  + sequence
                  + " exited ("
                  + process.exitValue()
                  + ") before a matching log line"
                  + tail(40));
        }
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
  }

  /** The last {@code n} captured lines, for failure messages. */
  public synchronized String tail(int n) {
    StringBuilder sb =
        new StringBuilder("\n--- last lines of agent #")
            .append(sequence)
            .append(" (")
            .append(logFile)
            .append(") ---\n");
    for (AgentLogLine l : lines.subList(Math.max(0, lines.size() - n), lines.size())) {
      sb.append(l.raw()).append('\n');
    }
    return sb.toString();
  }

  private Thread reader(InputStream in, AgentLogLine.Stream stream) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  add(AgentLogLine.parse(stream, line));
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            "agent-" + sequence + "-" + stream.name().toLowerCase(java.util.Locale.ROOT));
    t.setDaemon(true);
    t.start();
    return t;
  }

  private synchronized void add(AgentLogLine line) {
    if (lines.size() >= MAX_LINES) {
      lines.remove(0);
      droppedLines++;
    }
    lines.add(line);
    try {
      logWriter.write(
          line.stream() == AgentLogLine.Stream.STDERR ? "[stderr] " + line.raw() : line.raw());
      logWriter.newLine();
      logWriter.flush();
    } catch (IOException e) {
      // the file copy is a convenience; the lines stay in memory
    }
    notifyAll();
  }

  // ------------------------------------------------------------------ lifecycle

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code once the process has ended. */
  public OptionalInt exitCode() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  /**
   * SIGTERM (graceful: the agent drains within its {@code shutdown_timeout}) and waits up to {@code
   * timeout}; returns the exit code (143 after a clean SIGTERM). Throws when it is still running
   * after the timeout (then it is killed).
   */
  public int stop(Duration timeout) throws InterruptedException {
    // ProcessHandle.destroy, not Process.destroy: the latter also closes our end of its stdout.
    process.toHandle().destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL, then waits for the process to be gone; returns its exit code (137). */
  public int kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    return awaitExit(Duration.ofSeconds(30));
  }

  /** SIGSTOP: the agent stops running (its sockets and inotify queue keep filling). */
  public void freeze() {
    Signals.send(pid(), Signals.SIGSTOP);
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() {
    Signals.send(pid(), Signals.SIGCONT);
  }

  private int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.toHandle().destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "agent #"
              + sequence
              + " (pid "
              + pid()
              + ") did not exit within "
              + timeout
              + "; killed"
              + tail(40));
    }
    stdoutReader.join(10_000);
    stderrReader.join(10_000);
    return process.exitValue();
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (this) {
        try {
          logWriter.close();
        } catch (IOException e) {
          // nothing left to do
        }
      }
    }
  }

  // ------------------------------------------------------------------ process facts

  /** Resident set size from {@code /proc/<pid>/status} ({@code VmRSS}). */
  public long rssBytes() throws IOException {
    return procStatusKib("VmRSS") * 1024;
  }

  /** Peak resident set size ({@code VmHWM}). */
  public long peakRssBytes() throws IOException {
    return procStatusKib("VmHWM") * 1024;
  }

  /**
   * The agent's live heap: a full collection ({@code jcmd <pid> GC.run}), then the sum of what
   * {@code GC.heap_info} reports used per generation. Unlike RSS, this does not move when the JVM
   * merely commits more of its (bounded) heap, so it shows whether the agent retains data.
   */
  public long liveHeapBytes() throws IOException, InterruptedException {
    jcmd("GC.run");
    long used = 0;
    boolean found = false;
    for (String line : jcmd("GC.heap_info").split("\n")) {
      Matcher m = GENERATION_USED.matcher(line);
      if (m.find()) {
        used += Long.parseLong(m.group(1)) * 1024;
        found = true;
      }
    }
    if (!found) {
      throw new IOException("jcmd GC.heap_info for pid " + pid() + " reported no generation");
    }
    return used;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command)
            .redirectErrorStream(true)
            .start();
    // Bounded wait first, then read: the output (a few lines) fits in the pipe, and a jcmd that
    // hangs must not block this test in a read without a timeout.
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + command + " for pid " + pid() + " did not finish in 60 s");
    }
    byte[] out = p.getInputStream().readAllBytes();
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          "jcmd " + command + " for pid " + pid() + " exited " + p.exitValue() + ": " + text);
    }
    return text;
  }

  private long procStatusKib(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("/proc/" + pid() + "/status has no " + field);
  }

  // ------------------------------------------------------------------ HTTP

  /** A response of the agent's API. */
  public record Response(int status, String body, Map<String, List<String>> headers) {
    public Response {
      Objects.requireNonNull(body, "body");
      headers = Map.copyOf(headers);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON (" + status + "): " + body, e);
      }
    }
  }

  /** {@code GET <pathAndQuery>} (e.g. {@code "/vms?state=running"}), any status. */
  public Response get(String pathAndQuery) throws IOException, InterruptedException {
    return get(pathAndQuery, HTTP_TIMEOUT);
  }

  /** {@code GET} with its own timeout (an {@link java.net.http.HttpTimeoutException} after it). */
  public Response get(String pathAndQuery, Duration timeout)
      throws IOException, InterruptedException {
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException("path must start with /: " + pathAndQuery);
    }
    HttpRequest req =
        HttpRequest.newBuilder(uri().resolve(pathAndQuery)).timeout(timeout).GET().build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r.headers().map());
  }

  /** {@code GET} that must answer 200 with JSON. */
  public JsonNode getJson(String pathAndQuery) throws IOException, InterruptedException {
    Response r = get(pathAndQuery);
    if (r.status() != 200) {
      throw new IOException("GET " + pathAndQuery + " answered " + r.status() + ": " + r.body());
    }
    return r.json();
  }

  private boolean pings() {
    try {
      Response r = get("/ping");
      return r.status() == 200 && "pong".equals(r.json().path("ping").asText());
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Waits for the "ready on" log line and a {@code /ping} answer (after {@link Builder#launch()});
   * throws with the log tail when the process exits first or the timeout passes.
   */
  public void awaitReady(Duration timeout) throws IOException, InterruptedException {
    AgentLogLine ready;
    try {
      ready = awaitLog(l -> READY.matcher(l.message()).find(), timeout);
    } catch (IllegalStateException e) {
      close();
      throw new IOException(e.getMessage(), e);
    }
    Matcher m = READY.matcher(ready.message());
    if (!m.find()) {
      throw new IllegalStateException("unreachable");
    }
    uri = URI.create("http://" + m.group(1) + ":" + m.group(2) + "/");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pings()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        close();
        throw new IOException(
            "agent #"
                + sequence
                + " logged ready on "
                + uri
                + " but /ping did not answer"
                + tail(40));
      }
      Thread.sleep(20);
    }
  }

  @Override
  public String toString() {
    return "agent #" + sequence + " (pid " + pid() + ", " + uri + ")";
  }

  // ------------------------------------------------------------------ builder

  /**
   * How to start the agent: configuration keys (the dotted keys of {@code agent-daemon/README.md},
   * written as nested JSON), environment, JVM flags.
   */
  public static final class Builder {
    private final Path workDir;
    private final Map<String, Object> config = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> args = new ArrayList<>();
    private final AtomicInteger starts = new AtomicInteger();
    private AgentDistribution distribution;
    private String javaOpts;
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath();
      config.put("listen.port", 0);
      config.put("state_dir", this.workDir.resolve("state").toString());
    }

    /** The distribution to run (default {@link AgentDistribution#locate()}). */
    public Builder distribution(AgentDistribution d) {
      this.distribution = Objects.requireNonNull(d, "distribution");
      return this;
    }

    /**
     * Sets a configuration key (e.g. {@code "usage.interval", "1s"}); a Path is written as text.
     */
    public Builder set(String key, Object value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (key.isBlank() || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
        throw new IllegalArgumentException("not a config key: " + key);
      }
      if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        value = value.toString();
      }
      config.put(key, value);
      return this;
    }

    /** Removes a key (so the agent's default applies). */
    public Builder unset(String key) {
      config.remove(key);
      return this;
    }

    /** An environment variable of the agent process (e.g. a {@code VMINFO_*} override). */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Extra command-line arguments (flags win over the file). */
    public Builder arg(String arg) {
      args.add(Objects.requireNonNull(arg, "arg"));
      return this;
    }

    /** JVM flags, replacing the defaults of {@code bin/vminfod} ({@code VMINFOD_JAVA_OPTS}). */
    public Builder javaOpts(String opts) {
      this.javaOpts = Objects.requireNonNull(opts, "opts");
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("start timeout must be positive: " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    public Path workDir() {
      return workDir;
    }

    /** The configured state directory. */
    public Path stateDir() {
      return Path.of(config.get("state_dir").toString());
    }

    /** The configuration file {@link #start()} writes ({@code <workDir>/agent.json}). */
    public Path configFile() {
      return workDir.resolve("agent.json");
    }

    /** Writes the configuration file now (also done by every start). */
    public Path writeConfig() throws IOException {
      Files.createDirectories(workDir);
      ObjectNode root = JSON.createObjectNode();
      for (Map.Entry<String, Object> e : config.entrySet()) {
        String[] parts = e.getKey().split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
          JsonNode child = node.get(parts[i]);
          node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], JSON.valueToTree(e.getValue()));
      }
      Path file = configFile();
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, JSON.writeValueAsString(root), StandardCharsets.UTF_8);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return file;
    }

    /**
     * Starts a new agent process and returns once it answers {@code /ping}; throws (with the log
     * tail) when it exits first or is not ready within the start timeout.
     */
    public AgentProcess start() throws IOException, InterruptedException {
      AgentProcess p = launch();
      p.awaitReady(startTimeout);
      return p;
    }

    /**
     * Starts a new agent process and returns at once, before it is ready (e.g. to kill it while it
     * recovers); {@link AgentProcess#awaitReady(Duration)} waits for it.
     */
    public AgentProcess launch() throws IOException {
      AgentDistribution d = distribution != null ? distribution : AgentDistribution.locate();
      Path file = writeConfig();
      Path logs = Files.createDirectories(workDir.resolve("logs"));
      int n = starts.incrementAndGet();
      List<String> cmd =
          new ArrayList<>(List.of(d.vminfod().toString(), "--config", file.toString()));
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
      Map<String, String> e = pb.environment();
      // The agent must see only what the test configures, not the build's own environment.
      e.keySet().removeIf(k -> k.startsWith("VMINFO") || k.startsWith("MANTA_"));
      e.put("JAVA_HOME", System.getProperty("java.home"));
      if (javaOpts != null) {
        e.put("VMINFOD_JAVA_OPTS", javaOpts);
      }
      e.putAll(env);
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      return new AgentProcess(pb.start(), n, logs.resolve("agent-" + n + ".log"));
    }

    /** How many processes this builder has started. */
    public int starts() {
      return starts.get();
    }

    public Optional<Object> get(String key) {
      return Optional.ofNullable(config.get(key));
    }
  }
}
