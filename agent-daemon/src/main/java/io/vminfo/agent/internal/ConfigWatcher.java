package io.vminfo.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices changes of the config file by polling its bytes (cheap, works on every file system and
 * for editors that replace the file), and runs a callback on each change. A callback failure is
 * logged; the next change is tried again.
 */
public final class ConfigWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final Runnable onChange;
  private final ScheduledFuture<?> task;
  private byte[] last;

  public ConfigWatcher(
      Path file, Duration every, ScheduledExecutorService scheduler, Runnable onChange) {
    this.file = file;
    this.onChange = onChange;
    this.last = read();
    this.task =
        scheduler.scheduleWithFixedDelay(
            this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Checks once (the scheduler calls this; tests may too). */
  public void check() {
    byte[] now = read();
    if (Arrays.equals(now, last)) {
      return;
    }
    last = now;
    if (now == null) {
      log.warn("config file {} disappeared; keeping the running configuration", file);
      return;
    }
    log.info("config file {} changed", file);
    try {
      onChange.run();
    } catch (RuntimeException e) {
      log.error("config file {} change not applied: {}", file, e.getMessage());
    }
  }

  private byte[] read() {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(ConfigLoader.MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      log.warn("cannot read config file {}: {}", file, e.toString());
      return last;
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
