package io.vminfo.agent.internal;

import io.vminfo.agent.StoreProvider;
import io.vminfo.agent.internal.Setting.Kind;
import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.Backends;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every configuration key of the agent (documented in agent-daemon/README.md). */
public final class ConfigSchema {
  private static final long MS_DAY = 86_400_000L;
  private static final long GIB = 1L << 30;

  /**
   * In file order; also the order of {@code --print-config}: the agent's own keys, with the store
   * providers' keys after {@code storage.target} and the backend providers' keys at the end.
   */
  public static final List<Setting> SETTINGS = assemble(Providers.BACKENDS, Providers.STORES);

  private static final Map<String, Setting> BY_KEY = index();

  private ConfigSchema() {}

  public static Optional<Setting> find(String key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }

  private static List<Setting> assemble(Backends backends, StoreProviders stores) {
    List<Setting> out = new ArrayList<>();
    for (Setting s : own(backends, stores)) {
      out.add(s);
      if (s.key().equals("storage.target")) {
        for (StoreProvider p : stores.providers()) {
          p.settings().forEach(k -> out.add(Setting.of(k)));
        }
      }
    }
    for (BackendProvider p : backends.providers()) {
      p.settings().forEach(k -> out.add(Setting.of(k)));
    }
    return List.copyOf(out);
  }

  private static List<Setting> own(Backends backends, StoreProviders stores) {
    List<String> backendNames = new ArrayList<>();
    backendNames.add(Backends.AUTO);
    backendNames.addAll(backends.names());
    return List.of(
        s(
            "listen.address",
            Kind.STRING,
            "127.0.0.1",
            false,
            "address the HTTP API binds to; anything but loopback logs a warning"),
        bounded(
            "listen.port",
            Kind.INT,
            "9090",
            false,
            0,
            65535,
            "TCP port of the HTTP API (0 = any free port)"),
        s(
            "host_root",
            Kind.PATH,
            "/",
            false,
            "root of the host's file tree the backends read (tests point it at a temp tree)"),
        choice(
            "backend",
            Backends.AUTO,
            false,
            backendNames,
            "host backend (a BackendProvider); auto: the first that recognises <host_root> (smartos"
                + " if etc/zones exists, then libvirt if etc/libvirt/qemu or run/libvirt/qemu"
                + " does), else the example host"),
        s(
            "state_dir",
            Kind.PATH,
            "/var/opt/vminfo",
            false,
            "server uuid, usage ledger, example host copy; the default falls back to a per-user"
                + " directory when not writable"),
        opt("spool_dir", Kind.PATH, false, "usage spool (default <state_dir>/spool)"),
        opt(
            "datacenter_name",
            Kind.STRING,
            false,
            "datacenter name for usage records when the backend does not know it"),
        bounded(
            "reconcile_interval",
            Kind.DURATION,
            "5m",
            false,
            1000,
            MS_DAY,
            "full reload and reconciliation period"),
        bounded(
            "initial_load_wait",
            Kind.DURATION,
            "10s",
            false,
            100,
            3_600_000,
            "how long the start waits for the first full load of the host before it serves what"
                + " is loaded (the load goes on; /status initialLoad says where it stands)"),
        bounded(
            "initial_load_retry",
            Kind.DURATION,
            "15s",
            false,
            100,
            3_600_000,
            "how long after a failed first full load it is tried again (until one succeeds)"),
        bounded(
            "shutdown_timeout",
            Kind.DURATION,
            "10s",
            true,
            100,
            600_000,
            "how long a graceful stop (SIGTERM) may take"),
        choice(
            "log_level",
            "info",
            true,
            List.of("trace", "debug", "info", "warn", "error"),
            "log level of the agent"),
        bounded(
            "usage.interval",
            Kind.DURATION,
            "60s",
            false,
            1000,
            3_600_000,
            "usage sampling period"),
        bounded(
            "usage.grace",
            Kind.DURATION,
            "5m",
            false,
            0,
            MS_DAY,
            "how long after the end of an hour its usage file stays open"),
        bounded(
            "testing.usage_clock_rate",
            Kind.INT,
            "1",
            false,
            1,
            1_000_000,
            "TESTING ONLY: the usage recorder's clock and timers run this many times faster than"
                + " real time (hours of sampling, sealing and upload in seconds); 1 in production"),
        opt(
            "testing.usage_clock_origin",
            Kind.INSTANT,
            false,
            "TESTING ONLY: where the accelerated usage clock equals real time (default: agent"
                + " start); restarts with the same origin share one simulated timeline"),
        bounded(
            "usage.spool_cap",
            Kind.BYTES,
            "1GiB",
            false,
            1L << 20,
            1024 * GIB,
            "maximum bytes of usage files kept locally"),
        bounded(
            "usage.parked_retry",
            Kind.DURATION,
            "1h",
            false,
            1000,
            MS_DAY,
            "how long an upload refused for good (e.g. 403) waits before it is tried again"),
        bounded(
            "usage.max_catch_up",
            Kind.DURATION,
            "1h",
            false,
            1000,
            7 * MS_DAY,
            "after a stall or a restart, the missed sampling boundaries of at most this long are"
                + " still written (stamped with their boundary); older ones are counted as skipped"),
        choice(
            "storage.target",
            "local",
            false,
            stores.names(),
            "where sealed usage files go (a StoreProvider)"),
        s(
            "storage.manta.path_template",
            Kind.STRING,
            "/{login}/stor/usage/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log",
            false,
            "object path of an hour's usage file (also under storage.local.dir); {login} is"
                + " storage.manta.user, or \"local\" when unset"),
        bounded(
            "feed.subscriber_buffer_events",
            Kind.INT,
            "10000",
            false,
            1,
            10_000_000,
            "events queued for one feed subscriber before it is cut off"),
        bounded(
            "feed.subscriber_buffer_bytes",
            Kind.BYTES,
            "8MiB",
            false,
            1024,
            64 * GIB,
            "bytes queued for one feed subscriber before it is cut off"),
        bounded(
            "feed.history_events",
            Kind.INT,
            "10000",
            false,
            1,
            10_000_000,
            "recent events kept for resuming subscribers"),
        bounded(
            "feed.history_bytes",
            Kind.BYTES,
            "16MiB",
            false,
            1024,
            64 * GIB,
            "bytes of recent events kept for resuming subscribers"),
        bounded(
            "feed.default_heartbeat",
            Kind.DURATION,
            "0s",
            true,
            0,
            3_600_000,
            "heartbeat for subscribers that do not ask for one (0s = none)"),
        bounded(
            "feed.max_subscribers",
            Kind.INT,
            "1024",
            true,
            1,
            1_000_000,
            "concurrent /events subscribers; more get 503"),
        s(
            "alarms.enabled",
            Kind.BOOL,
            "false",
            false,
            "alarms on VM transitions (vminfo-alarms): unexpected-stop, reboot-timeout, flapping;"
                + " GET /alarms"),
        s(
            "alarms.api_writes",
            Kind.BOOL,
            "false",
            false,
            "serve POST /alarms/suppressions and DELETE /alarms/suppressions/{id}, with the same"
                + " write access as guest actions (actions.authorized_keys or actions.socket)"),
        opt(
            "alarms.smtp_host",
            Kind.STRING,
            false,
            "with alarms.enabled, mail each alarm open/clear through this SMTP relay (plain SMTP"
                + " unless alarms.smtp_starttls)"),
        bounded("alarms.smtp_port", Kind.INT, "25", false, 1, 65535, "the SMTP relay's port"),
        s(
            "alarms.smtp_starttls",
            Kind.BOOL,
            "false",
            false,
            "upgrade each SMTP session with STARTTLS (the relay's certificate and host name checked"
                + " against the JDK's trust store); no mail goes out when the relay does not offer"
                + " it, the notices wait in the outbox"),
        opt(
            "alarms.smtp_user",
            Kind.STRING,
            false,
            "log in to the relay with AUTH PLAIN as this user (needs alarms.smtp_starttls and"
                + " alarms.smtp_password_file)"),
        opt(
            "alarms.smtp_password_file",
            Kind.PATH,
            false,
            "file holding alarms.smtp_user's password (read at start, never logged; a trailing"
                + " newline is not part of it)"),
        opt("alarms.smtp_from", Kind.STRING, false, "the mails' sender address"),
        opt("alarms.smtp_to", Kind.STRING, false, "recipients, comma-separated"),
        opt(
            "alarms.webhook_url",
            Kind.STRING,
            false,
            "with alarms.enabled, POST each alarm open/clear as JSON here (durable outbox, retries)"),
        bounded(
            "alarms.webhook_timeout",
            Kind.DURATION,
            "10s",
            false,
            100,
            600_000,
            "bound on each webhook delivery attempt"),
        bounded(
            "alarms.reboot_timeout",
            Kind.DURATION,
            "5m",
            false,
            1000,
            MS_DAY,
            "a requested reboot/start that has not brought the VM to running by then opens"
                + " reboot-timeout"),
        bounded(
            "alarms.flap_transitions",
            Kind.INT,
            "4",
            false,
            2,
            1000,
            "this many state changes within alarms.flap_window open a flapping alarm"),
        bounded(
            "alarms.flap_window",
            Kind.DURATION,
            "10m",
            false,
            1000,
            MS_DAY,
            "the flapping window; the alarm clears after a whole window with no change"),
        s(
            "fleet.enabled",
            Kind.BOOL,
            "false",
            false,
            "publish this host's feed, current VMs and usage records to Kafka (vminfo-fleet)"),
        opt(
            "fleet.bootstrap_servers",
            Kind.STRING,
            false,
            "Kafka bootstrap servers, host:port[,host:port...] (required when fleet.enabled)"),
        opt(
            "fleet.client_id",
            Kind.STRING,
            false,
            "Kafka client id (default vminfo-<server uuid>)"),
        s(
            "fleet.feed_topic",
            Kind.STRING,
            "vminfo.feed",
            false,
            "topic of feed events (key = VM uuid; value = the feed line plus server_uuid, epoch)"),
        s(
            "fleet.vms_topic",
            Kind.STRING,
            "vminfo.vms",
            false,
            "compacted topic of current VMs (key = server_uuid/uuid; tombstone on delete)"),
        s(
            "fleet.usage_topic",
            Kind.STRING,
            "vminfo.usage",
            false,
            "topic of usage records (key = server_uuid/uuid/timestamp)"),
        s("fleet.usage", Kind.BOOL, "true", false, "also publish the usage spool's records"),
        bounded(
            "fleet.usage_retention",
            Kind.DURATION,
            "24h",
            false,
            0,
            30 * MS_DAY,
            "with fleet.enabled, sealed usage files stay in the spool this long after upload so"
                + " a publisher behind a broker outage still reads them (within usage.spool_cap)"),
        bounded(
            "fleet.ack_timeout",
            Kind.DURATION,
            "60s",
            false,
            1000,
            3_600_000,
            "a batch not acknowledged by the broker within this is sent again from the checkpoint"),
        bounded(
            "fleet.topic_partitions",
            Kind.INT,
            "0",
            false,
            0,
            10_000,
            "partitions of the fleet topics the agent creates when missing (0 = the broker's num.partitions)"),
        bounded(
            "fleet.replication_factor",
            Kind.INT,
            "0",
            false,
            0,
            32_767,
            "replicas of the fleet topics the agent creates when missing (0 = the broker's"
                + " default.replication.factor)"),
        bounded(
            "http.max_header_bytes",
            Kind.BYTES,
            "16KiB",
            false,
            1024,
            1L << 20,
            "largest request header block (431 beyond)"),
        bounded(
            "http.max_uri_bytes",
            Kind.BYTES,
            "8KiB",
            false,
            256,
            1L << 20,
            "longest request line (414 beyond)"),
        bounded(
            "http.idle_timeout",
            Kind.DURATION,
            "60s",
            true,
            10,
            MS_DAY,
            "close a connection with no request for this long (not /events streams)"),
        bounded(
            "http.request_timeout",
            Kind.DURATION,
            "10s",
            true,
            10,
            3_600_000,
            "a request's headers must arrive within this"),
        bounded(
            "http.threads",
            Kind.INT,
            "0",
            false,
            0,
            256,
            "HTTP event loop threads (0 = one per core)"),
        s(
            "actions.enabled",
            Kind.BOOL,
            "false",
            false,
            "serve the write routes: POST /vms/{uuid}/{action} (start, stop, reboot, poweroff,"
                + " suspend, resume) and /jobs; off by default"),
        bounded(
            "actions.queue_per_vm",
            Kind.INT,
            "8",
            false,
            1,
            1000,
            "actions waiting per VM behind the running one; more get 429"),
        bounded(
            "actions.parallel", Kind.INT, "4", false, 1, 256, "actions running at once across VMs"),
        bounded(
            "actions.grace",
            Kind.DURATION,
            "30s",
            false,
            0,
            3_600_000,
            "how long stop and reboot wait for a graceful shutdown before powering the guest off"),
        bounded(
            "actions.timeout",
            Kind.DURATION,
            "120s",
            false,
            1000,
            3_600_000,
            "how long a job may run until the VM store shows its result; then it is Error"),
        bounded(
            "actions.jobs_kept",
            Kind.INT,
            "1000",
            false,
            1,
            1_000_000,
            "finished jobs kept in <state_dir>/jobs.log"),
        opt(
            "actions.authorized_keys",
            Kind.PATH,
            false,
            "OpenSSH public keys (one per line, the comment names the owner) whose HTTP Signature"
                + " over (request-target), date and x-request-id a write must carry (or use"
                + " actions.socket)"),
        opt(
            "actions.socket",
            Kind.PATH,
            false,
            "local UNIX socket (the HTTP API); writes on it are allowed by the peer's credentials:"
                + " root, the agent's user, or actions.socket_group"),
        opt(
            "actions.socket_group",
            Kind.STRING,
            false,
            "a group (the peer process's group) whose members may write on actions.socket"));
  }

  private static Map<String, Setting> index() {
    Map<String, Setting> m = new LinkedHashMap<>();
    Map<String, String> envs = new LinkedHashMap<>();
    for (Setting s : SETTINGS) {
      if (m.put(s.key(), s) != null) {
        throw new IllegalStateException(
            "the config key "
                + s.key()
                + " is declared twice (by the"
                + " agent and a provider, or by two providers)");
      }
      String other = envs.put(s.envName(), s.key());
      if (other != null) {
        throw new IllegalStateException(s.key() + " and " + other + " share " + s.envName());
      }
    }
    return Map.copyOf(m);
  }

  private static Setting s(String key, Kind kind, String def, boolean reloadable, String help) {
    return new Setting(
        key,
        kind,
        Optional.of(def),
        reloadable,
        List.of(),
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        help,
        Optional.empty());
  }

  private static Setting opt(String key, Kind kind, boolean reloadable, String help) {
    return new Setting(
        key,
        kind,
        Optional.empty(),
        reloadable,
        List.of(),
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        help,
        Optional.empty());
  }

  private static Setting bounded(
      String key, Kind kind, String def, boolean reloadable, long min, long max, String help) {
    return new Setting(
        key, kind, Optional.of(def), reloadable, List.of(), min, max, help, Optional.empty());
  }

  private static Setting choice(
      String key, String def, boolean reloadable, List<String> choices, String help) {
    return new Setting(
        key,
        Kind.CHOICE,
        Optional.of(def),
        reloadable,
        choices,
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        help,
        Optional.empty());
  }
}
