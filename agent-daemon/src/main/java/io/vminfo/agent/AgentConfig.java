package io.vminfo.agent;

import io.vminfo.agent.internal.ConfigLoader;
import io.vminfo.agent.internal.ConfigSchema;
import io.vminfo.agent.internal.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's configuration: the JSON file (default {@code /etc/opt/vminfo/agent.json}), overridden
 * by {@code VMINFO_*} environment variables, overridden by {@code --key=value} flags. Every key,
 * its default and whether it can change without a restart is listed in the module README and by
 * {@code vminfod --help}. Immutable; unknown keys and bad values are errors ({@link
 * AgentConfigException}) that name the key and where the value came from.
 */
public final class AgentConfig implements ConfigValues {
  /** The FHS default of {@code state_dir}; it alone falls back to a per-user directory. */
  public static final Path DEFAULT_STATE_DIR = Path.of("/var/opt/vminfo");

  private final Map<String, Object> values;
  private final Map<String, String> sources;
  private final Optional<Path> file;
  private final List<String> warnings;

  private AgentConfig(
      Map<String, Object> values,
      Map<String, String> sources,
      Optional<Path> file,
      List<String> warnings) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    this.file = file;
    this.warnings = List.copyOf(warnings);
  }

  /** Every key at its default. */
  public static AgentConfig defaults() {
    return builder().build();
  }

  /**
   * Loads file, environment and flags. {@code args} are {@code --key=value} (or {@code --key
   * value}) flags plus {@code --config FILE}; the file is also named by {@code VMINFO_CONFIG}. A
   * missing default file is not an error; a missing named file is.
   */
  public static AgentConfig load(List<String> args, Map<String, String> env) {
    try {
      ConfigLoader.Loaded loaded = ConfigLoader.load(args, env);
      return new AgentConfig(loaded.values(), loaded.sources(), loaded.file(), loaded.warnings());
    } catch (ConfigLoader.Problem e) {
      throw new AgentConfigException(e.getMessage());
    }
  }

  /** Starts from the defaults, for embedding and tests. */
  public static Builder builder() {
    return new Builder(defaultsMap(), new LinkedHashMap<>());
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(new LinkedHashMap<>(values), new LinkedHashMap<>(sources));
  }

  public String listenAddress() {
    return (String) values.get("listen.address");
  }

  public int listenPort() {
    return (Integer) values.get("listen.port");
  }

  public Path hostRoot() {
    return path("host_root");
  }

  /**
   * {@code backend}: {@code auto} or the name of a host backend provider (vminfo-sysevent's {@code
   * BackendProvider}: {@code smartos}, {@code libvirt}, {@code example}, or one more on the class
   * path).
   */
  public String backend() {
    return (String) values.get("backend");
  }

  public Path stateDir() {
    return path("state_dir");
  }

  /** Empty means {@code <state dir>/spool}. */
  public Optional<Path> spoolDir() {
    return Optional.ofNullable((Path) values.get("spool_dir"));
  }

  public Optional<String> datacenterName() {
    return Optional.ofNullable((String) values.get("datacenter_name"));
  }

  public Duration reconcileInterval() {
    return (Duration) values.get("reconcile_interval");
  }

  /** {@code initial_load_wait}: how long the start waits for the first full load. */
  public Duration initialLoadWait() {
    return (Duration) values.get("initial_load_wait");
  }

  /** {@code initial_load_retry}: the pause before a failed first full load is tried again. */
  public Duration initialLoadRetry() {
    return (Duration) values.get("initial_load_retry");
  }

  public Duration shutdownTimeout() {
    return (Duration) values.get("shutdown_timeout");
  }

  /** {@code trace}, {@code debug}, {@code info}, {@code warn} or {@code error}. */
  public String logLevel() {
    return (String) values.get("log_level");
  }

  public Duration usageInterval() {
    return (Duration) values.get("usage.interval");
  }

  public Duration usageGrace() {
    return (Duration) values.get("usage.grace");
  }

  /** {@code testing.usage_clock_rate}: 1 unless a test accelerates the usage recorder's time. */
  public int usageClockRate() {
    return (Integer) values.get("testing.usage_clock_rate");
  }

  /** {@code testing.usage_clock_origin}: where accelerated usage time equals real time. */
  public Optional<java.time.Instant> usageClockOrigin() {
    return Optional.ofNullable((java.time.Instant) values.get("testing.usage_clock_origin"));
  }

  public long usageSpoolCapBytes() {
    return (Long) values.get("usage.spool_cap");
  }

  /** {@code usage.parked_retry}: when a permanently refused upload is tried again. */
  public Duration usageParkedRetry() {
    return (Duration) values.get("usage.parked_retry");
  }

  /**
   * {@code usage.max_catch_up}: how long a gap in sampling is filled in after a stall or restart.
   */
  public Duration usageMaxCatchUp() {
    return (Duration) values.get("usage.max_catch_up");
  }

  /** {@code alarms.enabled}: run vminfo-alarms on the store's feed. */
  public boolean alarmsEnabled() {
    return (Boolean) values.get("alarms.enabled");
  }

  public boolean alarmsApiWrites() {
    return (Boolean) values.get("alarms.api_writes");
  }

  public Optional<String> alarmsSmtpHost() {
    return Optional.ofNullable((String) values.get("alarms.smtp_host"));
  }

  public int alarmsSmtpPort() {
    return (Integer) values.get("alarms.smtp_port");
  }

  public boolean alarmsSmtpStartTls() {
    return (Boolean) values.get("alarms.smtp_starttls");
  }

  public Optional<String> alarmsSmtpUser() {
    return Optional.ofNullable((String) values.get("alarms.smtp_user"));
  }

  public Optional<Path> alarmsSmtpPasswordFile() {
    return Optional.ofNullable((Path) values.get("alarms.smtp_password_file"));
  }

  public Optional<String> alarmsSmtpFrom() {
    return Optional.ofNullable((String) values.get("alarms.smtp_from"));
  }

  public java.util.List<String> alarmsSmtpTo() {
    String to = (String) values.get("alarms.smtp_to");
    return to == null
        ? java.util.List.of()
        : java.util.Arrays.stream(to.split(","))
            .map(String::strip)
            .filter(t -> !t.isEmpty())
            .toList();
  }

  public Optional<String> alarmsWebhookUrl() {
    return Optional.ofNullable((String) values.get("alarms.webhook_url"));
  }

  public Duration alarmsWebhookTimeout() {
    return (Duration) values.get("alarms.webhook_timeout");
  }

  public Duration alarmsRebootTimeout() {
    return (Duration) values.get("alarms.reboot_timeout");
  }

  public int alarmsFlapTransitions() {
    return (Integer) values.get("alarms.flap_transitions");
  }

  public Duration alarmsFlapWindow() {
    return (Duration) values.get("alarms.flap_window");
  }

  /** {@code fleet.enabled}: publish to Kafka (vminfo-fleet). */
  public boolean fleetEnabled() {
    return (Boolean) values.get("fleet.enabled");
  }

  public Optional<String> fleetBootstrapServers() {
    return Optional.ofNullable((String) values.get("fleet.bootstrap_servers"));
  }

  public Optional<String> fleetClientId() {
    return Optional.ofNullable((String) values.get("fleet.client_id"));
  }

  public String fleetFeedTopic() {
    return (String) values.get("fleet.feed_topic");
  }

  public String fleetVmsTopic() {
    return (String) values.get("fleet.vms_topic");
  }

  public String fleetUsageTopic() {
    return (String) values.get("fleet.usage_topic");
  }

  public boolean fleetUsage() {
    return (Boolean) values.get("fleet.usage");
  }

  public Duration fleetUsageRetention() {
    return (Duration) values.get("fleet.usage_retention");
  }

  public Duration fleetAckTimeout() {
    return (Duration) values.get("fleet.ack_timeout");
  }

  /** {@code fleet.topic_partitions}: 0 = the broker's default. */
  public int fleetTopicPartitions() {
    return (Integer) values.get("fleet.topic_partitions");
  }

  /** {@code fleet.replication_factor}: 0 = the broker's default. */
  public int fleetReplicationFactor() {
    return (Integer) values.get("fleet.replication_factor");
  }

  /**
   * {@code storage.target}: the name of a {@link StoreProvider} ({@code local}, {@code manta}, or
   * one more on the class path).
   */
  public String storageTarget() {
    return (String) values.get("storage.target");
  }

  /** Empty means {@code <state dir>/archive}. */
  public Optional<Path> storageLocalDir() {
    return Optional.ofNullable((Path) values.get("storage.local.dir"));
  }

  /** The Manta settings; complete whenever {@link #storageTarget()} is {@code MANTA}. */
  public MantaSettings manta() {
    return new MantaSettings(
        text("storage.manta.url"),
        text("storage.manta.user"),
        text("storage.manta.subuser"),
        text("storage.manta.role"),
        text("storage.manta.key_id"),
        Optional.ofNullable((Path) values.get("storage.manta.key_path")),
        (Boolean) values.get("storage.manta.tls_insecure"),
        (String) values.get("storage.manta.path_template"));
  }

  /** Copies Manta keeps of each uploaded usage file (1..9). */
  public int mantaDurabilityLevel() {
    return (Integer) values.get("storage.manta.durability_level");
  }

  public int feedSubscriberBufferEvents() {
    return (Integer) values.get("feed.subscriber_buffer_events");
  }

  public long feedSubscriberBufferBytes() {
    return (Long) values.get("feed.subscriber_buffer_bytes");
  }

  public int feedHistoryEvents() {
    return (Integer) values.get("feed.history_events");
  }

  public long feedHistoryBytes() {
    return (Long) values.get("feed.history_bytes");
  }

  /** Heartbeat for subscribers that do not ask for one; empty = none. */
  public Optional<Duration> feedDefaultHeartbeat() {
    Duration d = (Duration) values.get("feed.default_heartbeat");
    return d.isZero() ? Optional.empty() : Optional.of(d);
  }

  public int feedMaxSubscribers() {
    return (Integer) values.get("feed.max_subscribers");
  }

  public int httpMaxHeaderBytes() {
    return Math.toIntExact((Long) values.get("http.max_header_bytes"));
  }

  public int httpMaxUriBytes() {
    return Math.toIntExact((Long) values.get("http.max_uri_bytes"));
  }

  public Duration httpIdleTimeout() {
    return (Duration) values.get("http.idle_timeout");
  }

  public Duration httpRequestTimeout() {
    return (Duration) values.get("http.request_timeout");
  }

  /** 0 = one per core. */
  public int httpThreads() {
    return (Integer) values.get("http.threads");
  }

  /** {@code actions.enabled}: whether the write routes (guest actions, jobs) are served. */
  public boolean actionsEnabled() {
    return (Boolean) values.get("actions.enabled");
  }

  /** Actions queued per VM (behind the running one) before more are refused with 429. */
  public int actionsQueuePerVm() {
    return (Integer) values.get("actions.queue_per_vm");
  }

  /** Actions running at once across VMs. */
  public int actionsParallel() {
    return (Integer) values.get("actions.parallel");
  }

  /** How long a stop waits for a graceful shutdown before it powers the guest off. */
  public Duration actionsGrace() {
    return (Duration) values.get("actions.grace");
  }

  /** How long a job may take, from running to the store showing its result. */
  public Duration actionsTimeout() {
    return (Duration) values.get("actions.timeout");
  }

  /** Finished jobs kept in the job log. */
  public int actionsJobsKept() {
    return (Integer) values.get("actions.jobs_kept");
  }

  /** {@code actions.authorized_keys}: the keys whose signatures the write routes accept. */
  public Optional<Path> actionsAuthorizedKeys() {
    return Optional.ofNullable((Path) values.get("actions.authorized_keys"));
  }

  /**
   * {@code actions.socket}: the local UNIX socket on which writes are allowed by peer credentials.
   */
  public Optional<Path> actionsSocket() {
    return Optional.ofNullable((Path) values.get("actions.socket"));
  }

  /** {@code actions.socket_group}: a group whose members may write on {@link #actionsSocket}. */
  public Optional<String> actionsSocketGroup() {
    return Optional.ofNullable((String) values.get("actions.socket_group"));
  }

  /** {@code actions.libvirt_transport}: {@code auto}, {@code library} or {@code virsh}. */
  public String actionsLibvirtTransport() {
    return (String) values.get("actions.libvirt_transport");
  }

  /** The libvirt connection URI guest actions use. */
  public String actionsLibvirtUri() {
    return (String) values.get("actions.libvirt_uri");
  }

  /** Any key by name, e.g. a provider's own (see {@link ConfigValues#get} for the types). */
  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    return ConfigLoader.typed(values, key, type);
  }

  @Override
  public String source(String key) {
    return sources.getOrDefault(key, "default");
  }

  /** The config file that was read, if any. */
  public Optional<Path> file() {
    return file;
  }

  /** Non-fatal oddities found while loading (e.g. unknown {@code VMINFO_*} variables). */
  public List<String> warnings() {
    return warnings;
  }

  /** Every set key with its value as the file would write it and where it came from. */
  public Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Setting s : ConfigSchema.SETTINGS) {
      Object v = values.get(s.key());
      if (v != null) {
        out.put(s.key(), s.format(v) + "  (" + sources.getOrDefault(s.key(), "default") + ")");
      }
    }
    return out;
  }

  /** Keys whose value differs from {@code other}'s. */
  public List<String> changedKeys(AgentConfig other) {
    List<String> out = new ArrayList<>();
    for (Setting s : ConfigSchema.SETTINGS) {
      if (!Objects.equals(values.get(s.key()), other.values.get(s.key()))) {
        out.add(s.key());
      }
    }
    return out;
  }

  /** Whether a running agent can take a new value of {@code key} without a restart. */
  public static boolean isReloadable(String key) {
    return ConfigSchema.find(key).map(Setting::reloadable).orElse(false);
  }

  /** Every known key, in file order. */
  public static List<String> keys() {
    return ConfigSchema.SETTINGS.stream().map(Setting::key).toList();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentConfig c && c.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return describe().toString();
  }

  private Path path(String key) {
    return (Path) values.get(key);
  }

  private Optional<String> text(String key) {
    return Optional.ofNullable((String) values.get(key));
  }

  private static Map<String, Object> defaultsMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Setting s : ConfigSchema.SETTINGS) {
      s.defaultValue().ifPresent(d -> m.put(s.key(), s.parse(d)));
    }
    return m;
  }

  /** Manta connection settings (the key itself is never part of the config, only its path). */
  public record MantaSettings(
      Optional<String> url,
      Optional<String> user,
      Optional<String> subuser,
      Optional<String> role,
      Optional<String> keyId,
      Optional<Path> keyPath,
      boolean tlsInsecure,
      String pathTemplate) {
    public MantaSettings {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(subuser, "subuser");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(keyPath, "keyPath");
      Objects.requireNonNull(pathTemplate, "pathTemplate");
    }
  }

  /** Sets keys by name with the same parsing and validation as the file, env and flags. */
  public static final class Builder {
    private final Map<String, Object> values;
    private final Map<String, String> sources;

    private Builder(Map<String, Object> values, Map<String, String> sources) {
      this.values = values;
      this.sources = sources;
    }

    /**
     * Sets {@code key} (e.g. {@code "listen.port"}) from text, e.g. {@code "0"} or {@code "30s"}.
     */
    public Builder set(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      try {
        values.put(key, ConfigLoader.parse(key, value, "set by code"));
      } catch (ConfigLoader.Problem e) {
        throw new AgentConfigException(e.getMessage());
      }
      sources.put(key, "set by code");
      return this;
    }

    /** Clears an optional key (one without a default). */
    public Builder unset(String key) {
      Setting s =
          ConfigSchema.find(key)
              .orElseThrow(() -> new AgentConfigException("unknown config key \"" + key + "\""));
      if (s.defaultValue().isPresent()) {
        throw new AgentConfigException(key + " has a default and cannot be unset");
      }
      values.remove(key);
      sources.remove(key);
      return this;
    }

    public AgentConfig build() {
      try {
        ConfigLoader.validate(values, sources);
      } catch (ConfigLoader.Problem e) {
        throw new AgentConfigException(e.getMessage());
      }
      return new AgentConfig(values, sources, Optional.empty(), List.of());
    }
  }
}
