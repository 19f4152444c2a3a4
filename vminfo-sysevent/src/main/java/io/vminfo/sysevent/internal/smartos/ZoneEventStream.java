package io.vminfo.sysevent.internal.smartos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.concurrent.Backoff;
import io.vminfo.core.time.Durations;
import io.vminfo.sysevent.internal.host.JsonFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs SmartOS's {@code zoneevent} ({@code /usr/vm/sbin/zoneevent}), which prints one JSON object
 * per zone state transition ({@code {"zonename":…,"newstate":…,"oldstate":…,"when":…}}), and hands
 * each transition to a listener: zone boots and halts leave no file behind, and this is how vminfod
 * learns of them without polling.
 *
 * <p>One named daemon thread reads the tool's output. Bad lines (not JSON, no zonename, longer than
 * 64 KiB) are logged and skipped. When the tool exits it is started again after a growing delay (1
 * s up to 30 s, back to 1 s once a run lasted a minute), and {@code onRestart} runs so the caller
 * can catch up with what happened while it was down.
 */
public final class ZoneEventStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZoneEventStream.class);
  private static final ObjectMapper JSON = JsonFiles.mapper();
  static final int MAX_LINE_CHARS = 64 * 1024;
  private static final Duration STABLE_RUN = Duration.ofMinutes(1);

  /** One transition. */
  public record ZoneEvent(String zonename, String newstate, Optional<String> oldstate) {
    public ZoneEvent {
      Objects.requireNonNull(zonename, "zonename");
      Objects.requireNonNull(newstate, "newstate");
      Objects.requireNonNull(oldstate, "oldstate");
    }
  }

  private final Path executable;
  private final Consumer<ZoneEvent> onEvent;
  private final Runnable onRestart;

  /** Restart delays; the tool is local, so no jitter: its ceiling. */
  private final Backoff restarts;

  private final Object lock = new Object();
  private Thread thread;
  private Process process;
  private boolean closed;
  private volatile boolean healthy;
  private volatile long linesRead;

  public ZoneEventStream(
      Path executable,
      Consumer<ZoneEvent> onEvent,
      Runnable onRestart,
      Duration minDelay,
      Duration maxDelay) {
    this.executable = Objects.requireNonNull(executable, "executable");
    this.onEvent = Objects.requireNonNull(onEvent, "onEvent");
    this.onRestart = Objects.requireNonNull(onRestart, "onRestart");
    this.restarts =
        new Backoff(
            Durations.requirePositive(minDelay, "minDelay"),
            Durations.requirePositive(maxDelay, "maxDelay"));
  }

  public void start() {
    synchronized (lock) {
      if (thread != null) {
        throw new IllegalStateException("started once");
      }
      thread = new Thread(this::run, "vminfo-zoneevent");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** True while the tool runs: state changes arrive as events, polling can slow down. */
  public boolean healthy() {
    return healthy;
  }

  /** Lines read so far (all runs), for tests and diagnostics. */
  public long linesRead() {
    return linesRead;
  }

  private void run() {
    int failures = 1;
    int attempts = 0;
    while (true) {
      // After any earlier attempt (failed to start, or exited) there is a gap to catch up on.
      boolean catchUp = attempts++ > 0;
      Process p;
      synchronized (lock) {
        if (closed) {
          return;
        }
        try {
          p =
              new ProcessBuilder(executable.toString())
                  .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                  .redirectError(ProcessBuilder.Redirect.DISCARD)
                  .start();
        } catch (IOException e) {
          p = null;
          log.warn(
              "cannot start {}: {}; zone states are polled until it works",
              executable,
              e.getMessage());
        }
        process = p;
      }
      long started = System.nanoTime();
      if (p != null) {
        healthy = true;
        int code;
        try {
          if (catchUp) {
            try {
              onRestart.run(); // what changed while it was down
            } catch (RuntimeException e) {
              log.error("zoneevent catch-up failed", e);
            }
          }
          log.info("{} running (pid {}): zone state changes arrive as events", executable, p.pid());
          readLines(p.getInputStream());
        } finally {
          healthy = false;
          code = waitForExit(p);
        }
        synchronized (lock) {
          if (closed) {
            return;
          }
        }
        if (Duration.ofNanos(System.nanoTime() - started).compareTo(STABLE_RUN) >= 0) {
          failures = 1;
        }
        log.warn(
            "{} exited (status {}); starting it again in {} ms, polling meanwhile",
            executable,
            code,
            restarts.ceiling(failures).toMillis());
      }
      synchronized (lock) {
        long until = System.nanoTime() + restarts.ceiling(failures).toNanos();
        while (!closed) {
          long left = until - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            lock.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (closed) {
          return;
        }
      }
      failures = Math.min(failures + 1, 62);
    }
  }

  private void readLines(InputStream in) {
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder();
      boolean tooLong = false;
      char[] buf = new char[8192];
      int n;
      while ((n = r.read(buf)) >= 0) {
        for (int i = 0; i < n; i++) {
          char c = buf[i];
          if (c == '\n') {
            if (tooLong) {
              log.warn("{}: skipped a line longer than {} characters", executable, MAX_LINE_CHARS);
            } else {
              handle(line.toString());
            }
            line.setLength(0);
            tooLong = false;
          } else if (!tooLong) {
            if (line.length() >= MAX_LINE_CHARS) {
              tooLong = true;
              line.setLength(0);
            } else {
              line.append(c);
            }
          }
        }
      }
    } catch (IOException e) {
      // The process was stopped (close) or its pipe broke: it is restarted unless closed.
      log.debug("reading {}: {}", executable, e.toString());
    }
  }

  private void handle(String line) {
    linesRead++;
    String text = line.strip();
    if (text.isEmpty()) {
      return;
    }
    Optional<ZoneEvent> e = parse(text);
    if (e.isEmpty()) {
      log.warn(
          "{}: skipped a line that is not a zone event: {}",
          executable,
          text.length() > 200 ? text.substring(0, 200) + "…" : text);
      return;
    }
    try {
      onEvent.accept(e.get());
    } catch (RuntimeException ex) {
      log.error("zone event listener failed for {}", e.get(), ex);
    }
  }

  static Optional<ZoneEvent> parse(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      if (n == null
          || !n.isObject()
          || !n.path("zonename").isTextual()
          || n.path("zonename").asText().isEmpty()
          || !n.path("newstate").isTextual()) {
        return Optional.empty();
      }
      Optional<String> old =
          n.path("oldstate").isTextual()
              ? Optional.of(n.path("oldstate").asText())
              : Optional.empty();
      return Optional.of(
          new ZoneEvent(n.path("zonename").asText(), n.path("newstate").asText(), old));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int waitForExit(Process p) {
    try {
      if (p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        return p.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    p.destroyForcibly();
    return -1;
  }

  /** Stops the tool and the reader thread (waits up to 5 s for the thread). */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
      if (process != null) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      t = thread;
    }
    healthy = false;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
