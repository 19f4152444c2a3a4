package io.vminfo.ittests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.ittests.internal.ChunkedLines;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@code /events} subscriber on a raw socket that rebuilds the agent's VM set from the feed (the
 * {@code ready} snapshot, then each create / modify / delete) and checks the feed contract as it
 * goes (DESIGN section 4): every event's {@code rev} is exactly one more than the last, a {@code
 * resumed} stream continues at the revision asked for, creates are of unknown VMs and modifies and
 * deletes of known ones. Anything else is recorded in {@link #violations()}.
 *
 * <p>{@link #disconnect()} drops the connection and keeps the state; {@link #resume()} connects
 * again with {@code ?since=<rev>&epoch=<epoch>} (a {@code ready} with {@code resync} then replaces
 * the state and is counted in {@link #resyncs()}). One named reader thread per connection.
 */
public final class FeedSubscriber implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LINE = 64 * 1024 * 1024;

  private final URI agent;
  private final String name;
  private final String query;
  private final boolean recording;
  private final List<String> lines = new ArrayList<>();
  private final Object lock = new Object();
  private final Map<String, JsonNode> vms = new TreeMap<>();
  private final List<String> violations = new ArrayList<>();
  private long rev = -1;
  private String epoch;
  private int sessions;
  private int resyncs;
  private long events;
  private boolean connected;
  private boolean cleanEnd;
  private Socket socket;
  private Thread reader;

  private FeedSubscriber(URI agent, String name, String query, boolean recording) {
    this.agent = agent;
    this.name = name;
    this.query = query;
    this.recording = recording;
  }

  /** Subscribes to {@code agent}'s feed; returns once the {@code ready} line is applied. */
  public static FeedSubscriber open(URI agent, String name, Duration timeout)
      throws IOException, InterruptedException {
    return open(agent, name, "", timeout);
  }

  /**
   * As {@link #open(URI, String, Duration)} with extra query parameters (e.g. {@code
   * "heartbeat=1"}; no {@code since}/{@code epoch}, the subscriber manages those).
   */
  public static FeedSubscriber open(URI agent, String name, String query, Duration timeout)
      throws IOException, InterruptedException {
    return open(agent, name, query, false, timeout);
  }

  /**
   * As {@link #open(URI, String, String, Duration)}, also keeping every raw line received (see
   * {@link #lines()}); for tests that check the wire format of a short feed.
   */
  public static FeedSubscriber openRecording(URI agent, String name, String query, Duration timeout)
      throws IOException, InterruptedException {
    return open(agent, name, query, true, timeout);
  }

  private static FeedSubscriber open(
      URI agent, String name, String query, boolean recording, Duration timeout)
      throws IOException, InterruptedException {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(name, "name");
    if (query.contains("since=") || query.contains("epoch=")) {
      throw new IllegalArgumentException("since/epoch are managed by the subscriber: " + query);
    }
    FeedSubscriber s = new FeedSubscriber(agent, name, query, recording);
    s.connect("", timeout);
    return s;
  }

  /** Every raw line received so far (only when opened with {@link #openRecording}). */
  public List<String> lines() {
    synchronized (lock) {
      return List.copyOf(lines);
    }
  }

  // ------------------------------------------------------------------ state

  /** The VMs as the feed says they are, by uuid. */
  public Map<String, JsonNode> vms() {
    synchronized (lock) {
      return Map.copyOf(vms);
    }
  }

  /** The last revision applied (the ready's, or the last event's). */
  public long rev() {
    synchronized (lock) {
      return rev;
    }
  }

  public Optional<String> epoch() {
    synchronized (lock) {
      return Optional.ofNullable(epoch);
    }
  }

  public List<String> violations() {
    synchronized (lock) {
      return List.copyOf(violations);
    }
  }

  /** Connections made (the first one and every resume). */
  public int sessions() {
    synchronized (lock) {
      return sessions;
    }
  }

  /** {@code ready} lines with {@code resync}: resumes the agent could not honour. */
  public int resyncs() {
    synchronized (lock) {
      return resyncs;
    }
  }

  /** Events applied over all sessions. */
  public long events() {
    synchronized (lock) {
      return events;
    }
  }

  public boolean isConnected() {
    synchronized (lock) {
      return connected;
    }
  }

  /** Whether the last session ended with the server's final chunk (the server closed the feed). */
  public boolean endedCleanly() {
    synchronized (lock) {
      return cleanEnd;
    }
  }

  public String name() {
    return name;
  }

  /**
   * Waits until the subscriber has applied revision {@code target}; false on timeout or if the
   * session ends.
   */
  public boolean awaitRev(long target, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (rev < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !connected) {
          return false;
        }
        lock.wait(Math.max(1, Math.min(left / 1_000_000, 200)));
      }
      return true;
    }
  }

  /** Waits until the server ends the session (e.g. the agent stops or cuts this subscriber off). */
  public boolean awaitDisconnected(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (connected) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, Math.min(left / 1_000_000, 200)));
      }
      return true;
    }
  }

  // ------------------------------------------------------------------ sessions

  /** Drops the connection (as a network failure would); the reconstructed state is kept. */
  public void disconnect() throws InterruptedException {
    Socket s;
    Thread r;
    synchronized (lock) {
      s = socket;
      r = reader;
    }
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closed anyway
      }
    }
    if (r != null) {
      r.join(10_000);
    }
  }

  /**
   * Connects again, resuming after the last applied revision; returns once the first line is
   * applied.
   */
  public void resume(Duration timeout) throws IOException, InterruptedException {
    disconnect();
    String since;
    synchronized (lock) {
      since = rev >= 0 && epoch != null ? "since=" + rev + "&epoch=" + epoch : "";
    }
    connect(since, timeout);
  }

  /** Resumes against another agent address (e.g. the same agent restarted on another port). */
  public FeedSubscriber movedTo(URI newAgent) {
    FeedSubscriber moved = new FeedSubscriber(newAgent, name, query, recording);
    synchronized (lock) {
      moved.lines.addAll(lines);
      moved.vms.putAll(vms);
      moved.rev = rev;
      moved.epoch = epoch;
      moved.sessions = sessions;
      moved.resyncs = resyncs;
      moved.events = events;
      moved.violations.addAll(violations);
    }
    return moved;
  }

  /** Disconnects; an interrupt while waiting for the reader is kept on the thread, not thrown. */
  @Override
  public void close() {
    try {
      disconnect();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void connect(String since, Duration timeout) throws IOException, InterruptedException {
    String q = join(query, since);
    Socket s = new Socket();
    s.connect(new InetSocketAddress(agent.getHost(), agent.getPort()), 5_000);
    s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET /events"
                + (q.isEmpty() ? "" : "?" + q)
                + " HTTP/1.1\r\nHost: "
                + agent.getHost()
                + ":"
                + agent.getPort()
                + "\r\nUser-Agent: vminfo-it-feed/"
                + name
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ChunkedLines lines =
        new ChunkedLines(new BufferedInputStream(s.getInputStream(), 65536), MAX_LINE);
    int status = lines.readHead();
    if (status != 200) {
      String body = lines.nextLine().orElse("");
      s.close();
      throw new IOException("feed " + name + ": /events answered " + status + ": " + body);
    }
    synchronized (lock) {
      socket = s;
      connected = true;
      cleanEnd = false;
      sessions++;
    }
    Optional<String> first;
    try {
      first = lines.nextLine();
    } catch (IOException e) {
      s.close();
      markDisconnected(false);
      throw new IOException("feed " + name + ": no first line within " + timeout, e);
    }
    if (first.isEmpty()) {
      s.close();
      markDisconnected(false);
      throw new IOException("feed " + name + ": the stream ended before its first line");
    }
    apply(first.get(), true);
    s.setSoTimeout(0); // a feed may be idle for as long as the host is
    Thread t = new Thread(() -> read(s, lines), "feed-" + name);
    t.setDaemon(true);
    synchronized (lock) {
      reader = t;
    }
    t.start();
  }

  private void markDisconnected(boolean clean) {
    synchronized (lock) {
      connected = false;
      cleanEnd = clean;
      lock.notifyAll();
    }
  }

  private void read(Socket s, ChunkedLines lines) {
    try (s) {
      Optional<String> line;
      while ((line = lines.nextLine()).isPresent()) {
        apply(line.get(), false);
      }
    } catch (IOException e) {
      // closed by us (disconnect) or by the server mid-stream
    } finally {
      markDisconnected(lines.sawLastChunk());
    }
  }

  private void apply(String line, boolean first) {
    JsonNode j;
    try {
      j = JSON.readTree(line);
    } catch (IOException e) {
      violation("not JSON: " + abbreviate(line));
      return;
    }
    String type = j.path("type").asText("");
    synchronized (lock) {
      if (recording) {
        lines.add(line);
      }
      try {
        switch (type) {
          case "ready" -> ready(j, first);
          case "resumed" -> resumed(j, first);
          case "heartbeat" -> {
            if (j.path("rev").asLong(-1) > rev) {
              violation("heartbeat rev " + j.path("rev") + " ahead of the last event " + rev);
            }
          }
          case "create", "modify", "delete" -> event(type, j, first);
          default -> violation("unknown line type: " + abbreviate(line));
        }
      } finally {
        lock.notifyAll();
      }
    }
  }

  private void ready(JsonNode j, boolean first) {
    if (!first) {
      violation("ready in the middle of a stream");
    }
    if (j.path("resync").asBoolean(false)) {
      resyncs++;
    } else if (sessions > 1) {
      violation("a resume was answered with a plain ready (no resync flag)");
    }
    JsonNode list;
    try {
      list = JSON.readTree(j.path("vms").asText());
    } catch (IOException e) {
      violation("ready: vms is not a JSON array string");
      return;
    }
    vms.clear();
    for (JsonNode vm : list) {
      vms.put(vm.path("uuid").asText(), vm);
    }
    rev = j.path("rev").asLong(-1);
    epoch = j.path("epoch").asText(null);
  }

  private void resumed(JsonNode j, boolean first) {
    if (!first) {
      violation("resumed in the middle of a stream");
    }
    long r = j.path("rev").asLong(-1);
    if (r != rev) {
      violation("resumed at rev " + r + " after asking for " + rev);
    }
    String e = j.path("epoch").asText(null);
    if (e != null && !e.equals(epoch)) {
      violation("resumed in epoch " + e + ", expected " + epoch);
    }
  }

  private void event(String type, JsonNode j, boolean first) {
    if (first) {
      violation("a stream began with an event, not ready/resumed");
    }
    long r = j.path("rev").asLong(-1);
    if (r != rev + 1) {
      violation(type + " with rev " + r + " after rev " + rev + " (gap or overlap)");
    }
    rev = r;
    events++;
    String uuid = j.path("uuid").asText();
    switch (type) {
      case "create" -> {
        if (vms.containsKey(uuid)) {
          violation("create of known VM " + uuid + " at rev " + r);
        }
        vms.put(uuid, j.path("vm"));
      }
      case "modify" -> {
        if (!vms.containsKey(uuid)) {
          violation("modify of unknown VM " + uuid + " at rev " + r);
        }
        if (!j.path("changes").isArray() || j.path("changes").isEmpty()) {
          violation("modify without changes at rev " + r);
        }
        vms.put(uuid, j.path("vm"));
      }
      default -> {
        if (vms.remove(uuid) == null) {
          violation("delete of unknown VM " + uuid + " at rev " + r);
        }
        if (j.has("vm")) {
          violation("delete carries a vm at rev " + r);
        }
      }
    }
  }

  private void violation(String what) {
    violations.add(name + ": " + what);
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : a + "&" + b;
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  @Override
  public String toString() {
    return "feed " + name + " at rev " + rev();
  }
}
