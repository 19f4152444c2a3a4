package io.vminfo.cli.testing;

import io.vminfo.cli.testing.CliRunner.Result;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs a (following) CLI command on a thread of its own while the test changes things. */
public final class Background implements AutoCloseable {
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "cli-under-test");
            t.setDaemon(true);
            return t;
          });
  private final CompletableFuture<Result> result;
  private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
  private final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

  private Background(CliRunner runner, String... args) {
    result = CompletableFuture.supplyAsync(() -> runner.run(out, err, args), thread);
  }

  /** What the command printed so far. */
  public String out() {
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  public String err() {
    return err.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Waits until stdout has {@code lines} lines. */
  public void awaitLines(int lines) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> out().lines().count() >= lines || result.isDone());
  }

  public static Background run(CliRunner runner, String... args) {
    return new Background(runner, args);
  }

  /** Waits for the command to end (it must end by itself: --count, a timeout, ...). */
  public Result await(Duration timeout) throws Exception {
    return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isDone() {
    return result.isDone();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
