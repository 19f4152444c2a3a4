package io.vminfo.agent.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vminfo.alarms.AlarmStatus;
import io.vminfo.core.ReloadObserver;
import io.vminfo.core.ServiceStatus;
import io.vminfo.core.VmEventType;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmStore;
import io.vminfo.fleet.FleetStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The agent's metrics, scraped in Prometheus text format at {@code /metrics}. Names (as scraped):
 * {@code vminfo_events_total{type}}, {@code vminfo_reload_seconds{backend,kind,outcome}}
 * (histogram), {@code vminfo_queue_depth}, {@code vminfo_vms}, {@code vminfo_vm_load_errors},
 * {@code vminfo_store_revision}, {@code vminfo_feed_subscribers}, {@code
 * vminfo_feed_subscribers_cut_off_total}, {@code vminfo_http_requests_total{route,status}}, {@code
 * vminfo_usage_records_written_total}, {@code vminfo_usage_uploads_total{result}}, {@code
 * vminfo_usage_spool_bytes}, {@code vminfo_usage_dropped_bytes_total}, {@code
 * vminfo_usage_set_aside_total}, {@code vminfo_usage_intervals_skipped_total}, {@code
 * vminfo_usage_clock_behind}, with {@code fleet.enabled} {@code
 * vminfo_fleet_published_total{kind}}, {@code vminfo_fleet_resyncs_total}, {@code
 * vminfo_fleet_failures_total}, {@code vminfo_fleet_usage_files_missed_total}, {@code
 * vminfo_fleet_lag}, {@code vminfo_fleet_connected}, with {@code alarms.enabled} {@code
 * vminfo_alarms_open}, {@code vminfo_alarms_suppressions}, {@code vminfo_alarms_notices_pending},
 * {@code vminfo_alarms_notices_delivered_total}, {@code
 * vminfo_alarms_notices_failed_attempts_total}, {@code vminfo_alarms_suppressed_total}, and the JVM
 * and process metrics of Micrometer's binders.
 */
public final class AgentMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<String, Timer> reloadTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> httpCounters = new ConcurrentHashMap<>();
  // Micrometer holds gauge and function-counter targets weakly; these keep them alive.
  private volatile Object[] bound = new Object[0];

  public AgentMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * Feeds the reload latency histogram of {@code backend} (e.g. {@code smartos}); give it to the
   * service before it starts.
   */
  public ReloadObserver reloadObserver(String backend) {
    return (key, duration, outcome) -> {
      String kind = key.equals("reconcile") ? "reconcile" : "partial";
      String o = outcome.name().toLowerCase(Locale.ROOT);
      reloadTimers
          .computeIfAbsent(
              kind + "/" + o,
              k ->
                  Timer.builder("vminfo.reload")
                      .description("Time to reload and apply one queue task")
                      .tags("backend", backend, "kind", kind, "outcome", o)
                      .publishPercentileHistogram()
                      .minimumExpectedValue(Duration.ofMillis(1))
                      .maximumExpectedValue(Duration.ofSeconds(60))
                      .register(registry))
          .record(duration);
    };
  }

  /** Registers the gauges and counters that read the running parts. */
  public void bind(
      VmInfoService service, VmStore store, FeedRegistry feeds, Supplier<UsageCounters> usage) {
    keep(service);
    keep(store);
    keep(feeds);
    keep(usage);
    for (VmEventType t : VmEventType.values()) {
      FunctionCounter.builder(
              "vminfo.events",
              store,
              s ->
                  switch (t) {
                    case CREATE -> s.stats().creates();
                    case MODIFY -> s.stats().modifies();
                    case DELETE -> s.stats().deletes();
                  })
          .description("Events emitted on the feed")
          .tags(Tags.of("type", t.wireName()))
          .register(registry);
    }
    Gauge.builder("vminfo.queue.depth", service, s -> s.status().queueDepth())
        .description("Reload tasks waiting in the serial queue")
        .register(registry);
    Gauge.builder(
            "vminfo.initial.load.complete",
            service,
            s ->
                s.status().initialLoad().state() == ServiceStatus.InitialLoad.State.COMPLETE
                    ? 1
                    : 0)
        .description(
            "1 once the first full load of the host is in the store; until then the"
                + " store holds only what is loaded")
        .register(registry);
    Gauge.builder("vminfo.vms", store, VmStore::size)
        .description("VMs in the store")
        .register(registry);
    Gauge.builder("vminfo.vm.load.errors", service, s -> s.status().vmErrors().size())
        .description("VMs or host files that currently fail to load")
        .register(registry);
    Gauge.builder("vminfo.store.revision", store, VmStore::revision)
        .description("Revision of the last event")
        .register(registry);
    Gauge.builder("vminfo.feed.subscribers", feeds, FeedRegistry::size)
        .description("Open /events connections")
        .register(registry);
    FunctionCounter.builder(
            "vminfo.feed.subscribers.cut.off", store, s -> s.stats().subscribersCutOff())
        .description("Feed subscribers cut off for falling behind")
        .register(registry);
    FunctionCounter.builder("vminfo.usage.records.written", usage, u -> u.get().recordsWritten())
        .description("Usage records written to the spool")
        .register(registry);
    FunctionCounter.builder("vminfo.usage.uploads", usage, u -> u.get().uploadsSucceeded())
        .tags("result", "succeeded")
        .description("Usage file uploads")
        .register(registry);
    FunctionCounter.builder("vminfo.usage.uploads", usage, u -> u.get().uploadsFailed())
        .tags("result", "failed")
        .description("Usage file uploads")
        .register(registry);
    Gauge.builder("vminfo.usage.spool.bytes", usage, u -> u.get().spoolBytes())
        .strongReference(true)
        .description("Bytes of usage files in the local spool")
        .register(registry);
    FunctionCounter.builder("vminfo.usage.dropped.bytes", usage, u -> u.get().droppedBytes())
        .description("Usage bytes dropped because the spool was full")
        .register(registry);
    FunctionCounter.builder(
            "vminfo.usage.intervals.skipped", usage, u -> u.get().intervalsSkipped())
        .description(
            "Sampling intervals not filled in after a stall, a restart or a clock step"
                + " forward longer than usage.max_catch_up")
        .register(registry);
    Gauge.builder("vminfo.usage.clock.behind", usage, u -> u.get().clockBehind() ? 1 : 0)
        .strongReference(true)
        .description(
            "1 while the clock is behind the newest usage sample (stepped back):"
                + " nothing is sampled until it passes it")
        .register(registry);
    FunctionCounter.builder("vminfo.usage.set.aside", usage, u -> u.get().filesSetAside())
        .description(
            "Usage files or lines moved to corrupt/ in the spool (damaged, torn,"
                + " or written by another process)")
        .register(registry);
  }

  /**
   * The fleet publisher's counters (with {@code fleet.enabled}): records acknowledged by Kafka per
   * kind, resyncs, failed batches, usage files missed, feed lag and whether the broker answers.
   */
  public void bindFleet(Supplier<FleetStatus> fleet) {
    keep(fleet);
    FunctionCounter.builder("vminfo.fleet.published", fleet, f -> f.get().feedRecords())
        .tags("kind", "feed")
        .description("Feed events acknowledged by Kafka")
        .register(registry);
    FunctionCounter.builder("vminfo.fleet.published", fleet, f -> f.get().usageRecords())
        .tags("kind", "usage")
        .description("Usage records acknowledged by Kafka")
        .register(registry);
    FunctionCounter.builder("vminfo.fleet.resyncs", fleet, f -> f.get().resyncs())
        .description("Full snapshots published (first publish, agent restart, feed history lost)")
        .register(registry);
    FunctionCounter.builder("vminfo.fleet.failures", fleet, f -> f.get().failures())
        .description("Batches Kafka did not acknowledge (sent again from the checkpoint)")
        .register(registry);
    FunctionCounter.builder(
            "vminfo.fleet.usage.files.missed", fleet, f -> f.get().usageFilesMissed())
        .description("Usage files that left the spool before they were published to their end")
        .register(registry);
    Gauge.builder("vminfo.fleet.lag", fleet, f -> f.get().lag())
        .strongReference(true)
        .description("Store revisions not yet acknowledged by Kafka")
        .register(registry);
    Gauge.builder("vminfo.fleet.connected", fleet, f -> f.get().connected() ? 1 : 0)
        .strongReference(true)
        .description("1 while the last batch was acknowledged, 0 after a failed one")
        .register(registry);
  }

  /**
   * The alarm service's counters (with {@code alarms.enabled}): open alarms, active suppressions,
   * notices waiting in the outbox, notices delivered, failed delivery attempts and alarms that
   * opened under a suppression.
   */
  public void bindAlarms(Supplier<AlarmStatus> alarms) {
    keep(alarms);
    Gauge.builder("vminfo.alarms.open", alarms, a -> a.get().openAlarms())
        .strongReference(true)
        .description("Alarms open now")
        .register(registry);
    Gauge.builder("vminfo.alarms.suppressions", alarms, a -> a.get().suppressions())
        .strongReference(true)
        .description("Suppressions in force now")
        .register(registry);
    Gauge.builder("vminfo.alarms.notices.pending", alarms, a -> a.get().pendingNotices())
        .strongReference(true)
        .description("Notices in the outbox, not yet delivered (they survive a restart)")
        .register(registry);
    FunctionCounter.builder("vminfo.alarms.notices.delivered", alarms, a -> a.get().delivered())
        .description("Notices the notifier accepted")
        .register(registry);
    FunctionCounter.builder(
            "vminfo.alarms.notices.failed.attempts", alarms, a -> a.get().failedAttempts())
        .description("Delivery attempts that failed (each notice is tried again with backoff)")
        .register(registry);
    FunctionCounter.builder("vminfo.alarms.suppressed", alarms, a -> a.get().suppressedOpens())
        .description("Alarms that opened under a suppression (no notice sent)")
        .register(registry);
  }

  private synchronized void keep(Object source) {
    Object[] more = java.util.Arrays.copyOf(bound, bound.length + 1);
    more[more.length - 1] = source;
    bound = more;
  }

  /** Counts one answered request; {@code route} is one of the fixed route names. */
  public void request(String route, int status) {
    httpCounters
        .computeIfAbsent(
            route + " " + status,
            k ->
                Counter.builder("vminfo.http.requests")
                    .description("HTTP requests answered")
                    .tags("route", route, "status", Integer.toString(status))
                    .register(registry))
        .increment();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
