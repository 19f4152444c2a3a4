package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryingUsageRecorderTest {
  @TempDir Path dir;

  /** A recorder whose start fails while {@code failures} is above zero. */
  static final class FakePort implements UsageRecorderPort {
    final AtomicInteger failures;
    volatile boolean started;
    volatile boolean closed;
    volatile boolean flushed;
    volatile boolean readOnly;

    FakePort(AtomicInteger failures) {
      this.failures = failures;
    }

    @Override
    public void start() throws IOException {
      if (failures.getAndDecrement() > 0) {
        throw new IOException("Read-only file system");
      }
      started = true;
    }

    @Override
    public ObjectNode status() {
      return Json.NODES.objectNode().put("state", "running");
    }

    @Override
    public byte[] latestSamplesJson() {
      return "[{}]".getBytes();
    }

    @Override
    public UsageCounters counters() {
      return new UsageCounters(1, 0, 0, 0, 0, 0);
    }

    @Override
    public void flush(Duration budget) {
      flushed = true;
    }

    @Override
    public boolean spoolReadOnly() {
      return readOnly;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final List<FakePort> made = new ArrayList<>();

  private RetryingUsageRecorder recorder(
      AtomicInteger failures, Optional<Path> ownSpool, Duration retry) {
    FakePort first = new FakePort(failures);
    made.add(first);
    return new RetryingUsageRecorder(
        first,
        carry -> {
          FakePort p = new FakePort(failures);
          synchronized (made) {
            made.add(p);
          }
          return p;
        },
        dir,
        ownSpool,
        retry,
        Clock.systemUTC());
  }

  @Test
  void aFailedStartIsRetriedWithAFreshRecorderUntilItWorks() throws Exception {
    AtomicInteger failures = new AtomicInteger(3);
    try (RetryingUsageRecorder r = recorder(failures, Optional.of(dir), Duration.ofMillis(10))) {
      r.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> r.status().path("state").asText().equals("running"));
      assertThat(r.counters().recordsWritten()).isEqualTo(1);
      assertThat(new String(r.latestSamplesJson())).isEqualTo("[{}]");
      synchronized (made) {
        assertThat(made).hasSize(4);
        assertThat(made.subList(0, 3)).allMatch(p -> p.closed && !p.started);
        assertThat(made.get(3).started).isTrue();
      }
    }
    synchronized (made) {
      assertThat(made.get(3).closed).isTrue();
    }
    // The spool lock was held while running and is released on close: it can be taken again.
    DirectoryLock.acquire(dir, "spool directory").close();
  }

  @Test
  void aSpoolThatTurnsReadOnlyStopsTheRecorderFreesTheSpoolAndWaitsForItsRepair() throws Exception {
    Path spool = Files.createDirectories(dir.resolve("spool"));
    AtomicInteger failures = new AtomicInteger();
    try (RetryingUsageRecorder r = recorder(failures, Optional.of(spool), Duration.ofMillis(10))) {
      r.start();
      FakePort first;
      synchronized (made) {
        first = made.get(0);
      }
      assertThat(first.started).isTrue();
      failures.set(Integer.MAX_VALUE); // a recorder cannot start on the read-only spool either
      // The operator's repair will unmount it: from then on the mount point is an empty
      // directory without the lock file, where no recorder may start.
      Files.delete(spool.resolve(DirectoryLock.FILE_NAME));
      first.readOnly = true;
      await().atMost(Duration.ofSeconds(30)).until(() -> first.closed);
      assertThat(first.flushed).as("its last sample taken before it stops").isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> r.status().path("state").asText().equals("unavailable"));
      // the stop's own reason, or (once a start was tried) why the spool cannot be used yet
      assertThat(r.status().path("lastError").path("message").asText())
          .containsAnyOf("read-only", "has lost its " + DirectoryLock.FILE_NAME);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  r.status()
                      .path("lastError")
                      .path("message")
                      .asText()
                      .contains("has lost its " + DirectoryLock.FILE_NAME));
      int tried;
      synchronized (made) {
        tried = made.size();
      }
      await()
          .during(Duration.ofMillis(100))
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                synchronized (made) {
                  return made.size() == tried;
                }
              });
      // mounted again: the spool with its lock file is back
      Files.createFile(spool.resolve(DirectoryLock.FILE_NAME));
      failures.set(0);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> r.status().path("state").asText().equals("running"));
      synchronized (made) {
        assertThat(made.get(made.size() - 1).started).isTrue();
        assertThat(made.subList(1, made.size() - 1)).allMatch(p -> !p.started);
      }
    }
  }

  @Test
  void whileUnavailableTheStatusSaysWhyAndNothingIsCounted() throws Exception {
    AtomicInteger failures = new AtomicInteger(Integer.MAX_VALUE);
    try (RetryingUsageRecorder r = recorder(failures, Optional.empty(), Duration.ofHours(1))) {
      r.start();
      ObjectNode s = r.status();
      assertThat(s.path("state").asText()).isEqualTo("unavailable");
      assertThat(s.path("lastError").path("message").asText()).isEqualTo("Read-only file system");
      assertThat(s.path("lastError").path("component").asText()).isEqualTo("spool");
      assertThat(r.counters()).isEqualTo(UsageCounters.NONE);
      assertThat(new String(r.latestSamplesJson())).isEqualTo("[]");
      r.flush(Duration.ofSeconds(1));
    }
    assertThat(made).hasSize(1);
  }

  @Test
  @SuppressWarnings("try") // the resource is held for its side effect, not used
  void anotherAgentHoldingTheSpoolStaysFatal() throws Exception {
    Path spool = Files.createDirectories(dir.resolve("spool"));
    try (DirectoryLock other = DirectoryLock.acquire(spool, "spool directory");
        RetryingUsageRecorder r =
            recorder(new AtomicInteger(), Optional.of(spool), Duration.ofMillis(10))) {
      assertThatThrownBy(r::start)
          .isInstanceOf(DirectoryLock.DirectoryInUseException.class)
          .hasMessageContaining("spool directory " + spool);
    }
  }

  @Test
  void closingStopsTheRetries() throws Exception {
    AtomicInteger failures = new AtomicInteger(Integer.MAX_VALUE);
    RetryingUsageRecorder r = recorder(failures, Optional.empty(), Duration.ofMillis(5));
    r.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              synchronized (made) {
                return made.size() >= 3;
              }
            });
    r.close();
    int after;
    synchronized (made) {
      after = made.size();
      assertThat(made).allMatch(p -> p.closed);
    }
    // No try starts after close: retry a few times' worth of attempts by waiting on a fresh one.
    RetryingUsageRecorder probe =
        recorder(new AtomicInteger(), Optional.empty(), Duration.ofMillis(5));
    probe.start();
    probe.close();
    synchronized (made) {
      assertThat(made).hasSize(after + 1);
    }
  }
}
