package io.vminfo.agent.internal;

import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.StoreContext;
import io.vminfo.agent.StoreProvider;
import io.vminfo.agent.StoreTarget;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmStore;
import io.vminfo.usage.AcceleratedTime;
import io.vminfo.usage.ObjectStore;
import io.vminfo.usage.RemotePathTemplate;
import io.vminfo.usage.UsageService;
import io.vminfo.usage.WaitingSamples;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the agent's usage recorder (usage-recorder's {@link UsageService}) from the configuration:
 * the spool, the interval, grace and cap, and the object store sealed files go to, made by the
 * {@link StoreProvider} that {@code storage.target} names ({@link LocalStoreProvider}, {@link
 * MantaStoreProvider}, or one more on the class path).
 */
public final class UsageRecorders {
  private static final Logger log = LoggerFactory.getLogger(UsageRecorders.class);

  /** The {@code {login}} of the object path when no Manta user is configured. */
  static final String LOCAL_LOGIN = "local";

  private UsageRecorders() {}

  /**
   * The missed boundaries a late sampler still writes: {@code maxCatchUp / interval}, at least 1.
   */
  static int catchUpIntervals(java.time.Duration maxCatchUp, java.time.Duration interval) {
    long n = maxCatchUp.toMillis() / interval.toMillis();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, n));
  }

  /** Everything a recorder needs from the agent. */
  public record Context(
      AgentConfig config,
      Path spoolDir,
      Path archiveDir,
      Path stateDir,
      String serverUuid,
      Optional<String> datacenterName,
      VmStore store,
      UsageProbe probe,
      Clock clock,
      Map<String, String> env,
      String userAgent,
      Optional<ScheduledExecutorService> scheduler) {}

  /**
   * The recorder, not started yet. Settings the recorder or Manta's client refuse are an {@link
   * IllegalArgumentException} naming the key.
   */
  public static UsageRecorderPort create(Context c) {
    return create(c, WaitingSamples.none());
  }

  /** As {@link #create(Context)}, taking over a stopped predecessor's unwritten samples. */
  public static UsageRecorderPort create(Context c, WaitingSamples carryOver) {
    AgentConfig config = c.config();
    AgentConfig.MantaSettings manta = config.manta();
    String login = manta.user().orElse(LOCAL_LOGIN);
    RemotePathTemplate paths = RemotePathTemplate.of(manta.pathTemplate(), login);
    StoreTarget target =
        Providers.STORES
            .named(config.storageTarget())
            .create(new StoreContext(config, c.archiveDir(), c.env(), c.userAgent()));
    ObjectStore objectStore = target.objectStore();
    AutoCloseable resource = target.resource();
    Runnable onStart = target.onStart();
    UsageServicePort.Meters meters = new UsageServicePort.Meters();
    UsageService.Builder b =
        UsageService.builder()
            .store(c.store())
            .probe(c.probe())
            .spoolDir(c.spoolDir())
            .serverUuid(c.serverUuid())
            .objectStore(objectStore)
            .remotePath(paths)
            .clock(c.clock())
            .interval(config.usageInterval())
            .grace(config.usageGrace())
            .spoolCapBytes(config.usageSpoolCapBytes())
            .parkedRetry(config.usageParkedRetry())
            .maxCatchUp(catchUpIntervals(config.usageMaxCatchUp(), config.usageInterval()))
            .listener(meters)
            .carryOver(carryOver);
    c.datacenterName().ifPresent(b::datacenterName);
    c.scheduler().ifPresent(b::scheduler);
    if (c.probe() instanceof io.vminfo.sysevent.LibvirtUsageProbe) {
      // libvirt probes are file reads: refresh running guests' readings so a virsh destroy
      // mid-interval keeps its usage up to 10 s before it, not only up to the last sample.
      java.time.Duration tenSeconds = java.time.Duration.ofSeconds(10);
      b.lastReadingsEvery(
          config.usageInterval().compareTo(tenSeconds) < 0 ? config.usageInterval() : tenSeconds);
    }
    if (config.usageClockRate() > 1) {
      // Test-only (testing.usage_clock_rate): the recorder's clock and timers run faster, so a
      // test sees hours of sampling, sealing and upload in seconds of a real agent process.
      AcceleratedTime time =
          AcceleratedTime.from(
              config.usageClockRate(), config.usageClockOrigin().orElseGet(c.clock()::instant));
      java.util.concurrent.ScheduledThreadPoolExecutor timers =
          time.scheduler(2, "usage-accelerated");
      b.clock(time.clock()).scheduler(timers);
      AutoCloseable store = resource;
      resource =
          () -> {
            timers.shutdownNow();
            store.close();
          };
      log.warn("TESTING: usage time runs {} (testing.usage_clock_rate); never in production", time);
    }
    if (config.fleetEnabled() && config.fleetUsage()) {
      // The fleet publisher reads sealed files; keep them past upload so an outage of the
      // broker longer than the hour's grace does not leave a hole in the usage topic.
      b.retention(config.fleetUsageRetention());
    }
    UsageService service = b.build();
    log.info(
        "usage: a sample every {} into {}; sealed files go to {} as {}",
        Units.format(config.usageInterval()),
        c.spoolDir(),
        objectStore.describe(),
        paths.template().replace("{login}", login));
    return new UsageServicePort(
        service,
        meters,
        c.spoolDir(),
        objectStore.describe(),
        paths.template().replace("{login}", login),
        config.usageInterval(),
        onStart,
        resource);
  }
}
