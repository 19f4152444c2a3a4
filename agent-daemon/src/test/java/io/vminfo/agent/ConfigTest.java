package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTheDesignedOnes() {
    AgentConfig c = AgentConfig.defaults();
    assertThat(c.listenAddress()).isEqualTo("127.0.0.1");
    assertThat(c.listenPort()).isEqualTo(9090);
    assertThat(c.hostRoot()).isEqualTo(Path.of("/"));
    assertThat(c.backend()).isEqualTo("auto");
    assertThat(c.stateDir()).isEqualTo(Path.of("/var/opt/vminfo"));
    assertThat(c.spoolDir()).isEmpty();
    assertThat(c.usageInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.usageSpoolCapBytes()).isEqualTo(1L << 30);
    assertThat(c.usageParkedRetry()).isEqualTo(Duration.ofHours(1));
    assertThat(AgentConfig.load(List.of("--usage.parked-retry=10m"), Map.of()).usageParkedRetry())
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(c.usageMaxCatchUp()).isEqualTo(Duration.ofHours(1));
    assertThat(AgentConfig.load(List.of("--usage.max-catch-up=168h"), Map.of()).usageMaxCatchUp())
        .isEqualTo(Duration.ofDays(7));
    assertThat(c.storageTarget()).isEqualTo("local");
    assertThat(c.reconcileInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.feedSubscriberBufferEvents()).isEqualTo(10_000);
    assertThat(c.feedSubscriberBufferBytes()).isEqualTo(8L << 20);
    assertThat(c.feedHistoryBytes()).isEqualTo(16L << 20);
    assertThat(c.feedHistoryEvents()).isEqualTo(10_000);
    assertThat(c.feedDefaultHeartbeat()).isEmpty();
    assertThat(c.logLevel()).isEqualTo("info");
    assertThat(c.manta().pathTemplate())
        .isEqualTo("/{login}/stor/usage/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log");
  }

  @Test
  void fileThenEnvThenFlagsWin() throws Exception {
    Path file =
        write(
            """
        // comments are allowed
        {
          "listen": {"address": "0.0.0.0", "port": 9191},
          "log_level": "debug",
          "feed": {"history_events": 500, "subscriber_buffer_bytes": "1MiB"},
          "usage": {"interval": "30s"},
          "storage": {"target": "local", "local": {"dir": "/srv/usage"}}
        }
        """);
    AgentConfig c =
        AgentConfig.load(
            List.of(
                "--config", file.toString(), "--listen.port=9393", "--feed.history-events", "7"),
            Map.of("VMINFO_LISTEN_PORT", "9292", "VMINFO_LOG_LEVEL", "warn", "VMINFO_URL", "x"));
    assertThat(c.file()).contains(file);
    assertThat(c.listenAddress()).isEqualTo("0.0.0.0"); // file
    assertThat(c.listenPort()).isEqualTo(9393); // flag over env over file
    assertThat(c.logLevel()).isEqualTo("warn"); // env over file
    assertThat(c.feedHistoryEvents()).isEqualTo(7); // flag over file
    assertThat(c.feedSubscriberBufferBytes()).isEqualTo(1L << 20);
    assertThat(c.usageInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.storageLocalDir()).contains(Path.of("/srv/usage"));
    assertThat(c.warnings()).singleElement().asString().contains("VMINFO_URL");
    assertThat(c.describe().get("listen.port")).isEqualTo("9393  (flag --listen.port)");
    assertThat(c.describe().get("log_level")).isEqualTo("warn  (env VMINFO_LOG_LEVEL)");
  }

  @Test
  void theConfigFileCanBeNamedByEnv() throws Exception {
    Path file = write("{\"listen\":{\"port\":1}}");
    AgentConfig c = AgentConfig.load(List.of(), Map.of("VMINFO_CONFIG", file.toString()));
    assertThat(c.listenPort()).isEqualTo(1);
  }

  @Test
  void unknownKeysAreErrorsWithASuggestion() throws Exception {
    Path file = write("{\"feed\":{\"histroy_events\":5}}");
    assertThatThrownBy(() -> load(file))
        .isInstanceOf(AgentConfigException.class)
        .hasMessageContaining("unknown key \"feed.histroy_events\"")
        .hasMessageContaining("did you mean \"feed.history_events\"");
    assertThatThrownBy(() -> AgentConfig.load(List.of("--prot=1"), Map.of()))
        .hasMessageContaining("unknown flag --prot");
    assertThatThrownBy(() -> AgentConfig.load(List.of("stray"), Map.of()))
        .hasMessageContaining("unexpected argument \"stray\"");
  }

  @Test
  void alarmsAreOffByDefaultAndTheirSettingsAreValidated() {
    AgentConfig c = AgentConfig.defaults();
    assertThat(c.alarmsEnabled()).isFalse();
    assertThat(c.alarmsWebhookUrl()).isEmpty();
    assertThat(c.alarmsRebootTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.alarmsFlapTransitions()).isEqualTo(4);
    assertThat(c.alarmsFlapWindow()).isEqualTo(Duration.ofMinutes(10));
    AgentConfig on =
        AgentConfig.load(
            List.of(
                "--alarms.enabled=true",
                "--alarms.webhook-url=http://127.0.0.1:1/hook",
                "--alarms.flap-transitions=3"),
            Map.of());
    assertThat(on.alarmsEnabled()).isTrue();
    assertThat(on.alarmsWebhookUrl()).contains("http://127.0.0.1:1/hook");
    assertThat(on.alarmsFlapTransitions()).isEqualTo(3);
    assertThat(on.alarmsSmtpTo()).isEmpty();
    assertThat(AgentConfig.load(List.of("--alarms.smtp-to=a@b.c, d@e.f"), Map.of()).alarmsSmtpTo())
        .containsExactly("a@b.c", "d@e.f");
    assertThatThrownBy(() -> AgentConfig.load(List.of("--alarms.flap-transitions=1"), Map.of()))
        .hasMessageContaining("alarms.flap_transitions")
        .hasMessageContaining("out of range");
  }

  @Test
  void badValuesNameTheKeyAndTheirSource() throws Exception {
    assertThatThrownBy(() -> load(write("{\"listen\":{\"port\":\"9090\"}}")))
        .hasMessageContaining("listen.port")
        .hasMessageContaining("must be an integer");
    assertThatThrownBy(() -> load(write("{\"listen\":{\"port\":70000}}")))
        .hasMessageContaining("out of range (0 .. 65535)");
    assertThatThrownBy(() -> load(write("{\"reconcile_interval\":300}")))
        .hasMessageContaining("reconcile_interval")
        .hasMessageContaining("like \"30s\"");
    assertThatThrownBy(() -> AgentConfig.load(List.of(), Map.of("VMINFO_BACKEND", "xen")))
        .hasMessageContaining("backend (env VMINFO_BACKEND)")
        // (and this module's test-only backend provider, which asks first)
        .hasMessageContaining("not one of auto, ")
        .hasMessageContaining("smartos, libvirt, example");
    assertThatThrownBy(() -> AgentConfig.load(List.of("--usage.spool_cap=lots"), Map.of()))
        .hasMessageContaining("usage.spool_cap (flag --usage.spool-cap)")
        .hasMessageContaining("is not a size");
    assertThatThrownBy(
            () -> AgentConfig.load(List.of("--feed.default-heartbeat=2 hours"), Map.of()))
        .hasMessageContaining("is not a duration");
    assertThatThrownBy(() -> load(write("{\"listen\": [1]}"))).hasMessageContaining("listen");
    assertThatThrownBy(() -> load(write("{\"log_level\": \"info\",}")))
        .hasMessageContaining("is not valid JSON at line 1");
    assertThatThrownBy(() -> load(write("[]"))).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> load(dir.resolve("missing.json")))
        .hasMessageContaining("does not exist");
    Path huge = dir.resolve("huge.json");
    Files.write(huge, new byte[2 << 20]);
    assertThatThrownBy(() -> load(huge)).hasMessageContaining("larger than");
  }

  @Test
  void mantaNeedsItsSettingsWhichMantaEnvVarsProvide() {
    assertThatThrownBy(() -> AgentConfig.load(List.of("--storage.target=manta"), Map.of()))
        .hasMessageContaining("storage.manta.url (or MANTA_URL)")
        .hasMessageContaining("storage.manta.key_id (or MANTA_KEY_ID)");
    AgentConfig c =
        AgentConfig.load(
            List.of("--storage.target=manta"),
            Map.of(
                "MANTA_URL",
                "https://us-east.manta.example",
                "MANTA_USER",
                "ops",
                "MANTA_KEY_ID",
                "SHA256:abc",
                "MANTA_TLS_INSECURE",
                "1",
                "VMINFO_STORAGE_MANTA_USER",
                "billing",
                "MANTA_KEY_PATH",
                "/etc/opt/vminfo/id_rsa"));
    assertThat(c.manta().keyPath()).contains(Path.of("/etc/opt/vminfo/id_rsa"));
    assertThat(c.storageTarget()).isEqualTo("manta");
    assertThat(c.manta().url()).contains("https://us-east.manta.example");
    assertThat(c.manta().user()).contains("billing"); // VMINFO_* over MANTA_*
    assertThat(c.manta().tlsInsecure()).isTrue();
    assertThatThrownBy(
            () ->
                AgentConfig.load(
                    List.of("--storage.target=manta"),
                    Map.of("MANTA_URL", "ftp://x", "MANTA_USER", "u", "MANTA_KEY_ID", "k")))
        .hasMessageContaining("not an http(s) URL");
  }

  @Test
  void storageSettingsAreValidatedAtLoad() {
    assertThat(AgentConfig.defaults().mantaDurabilityLevel()).isEqualTo(2);
    assertThat(
            AgentConfig.load(List.of("--storage.manta.durability_level=3"), Map.of())
                .mantaDurabilityLevel())
        .isEqualTo(3);
    assertThatThrownBy(
            () -> AgentConfig.load(List.of("--storage.manta.durability_level=10"), Map.of()))
        .hasMessageContaining("storage.manta.durability_level");
    assertThatThrownBy(
            () ->
                AgentConfig.load(
                    List.of(
                        "--storage.manta.path_template=/{login}/stor/usage/{yyyy}/{MM}/{dd}/all.log"),
                    Map.of()))
        .hasMessageContaining("storage.manta.path_template (flag --storage.manta.path-template)")
        .hasMessageContaining("{HH}");
    assertThatThrownBy(
            () ->
                AgentConfig.load(
                    List.of(
                        "--storage.manta.path_template=/{login}/../usage/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log"),
                    Map.of()))
        .hasMessageContaining("'..'");
    assertThatThrownBy(() -> AgentConfig.load(List.of(), Map.of("MANTA_USER", "a/b")))
        .hasMessageContaining("storage.manta.user (env MANTA_USER)");
  }

  @Test
  void builderValidatesLikeTheFile() {
    assertThatThrownBy(() -> AgentConfig.builder().set("listen.port", "-1"))
        .isInstanceOf(AgentConfigException.class);
    assertThatThrownBy(() -> AgentConfig.builder().set("nope", "1"))
        .hasMessageContaining("unknown config key");
    assertThatThrownBy(() -> AgentConfig.builder().unset("listen.port"))
        .hasMessageContaining("has a default");
  }

  @Test
  void reloadableKeysAreTheRuntimeOnes() {
    assertThat(AgentConfig.keys().stream().filter(AgentConfig::isReloadable))
        .containsExactly(
            "shutdown_timeout",
            "log_level",
            "feed.default_heartbeat",
            "feed.max_subscribers",
            "http.idle_timeout",
            "http.request_timeout");
    AgentConfig a = AgentConfig.defaults();
    AgentConfig b = a.toBuilder().set("log_level", "debug").set("backend", "libvirt").build();
    assertThat(a.changedKeys(b)).containsExactly("backend", "log_level");
  }

  private static AgentConfig load(Path file) {
    return AgentConfig.load(List.of("--config", file.toString()), Map.of());
  }

  private Path write(String json) throws Exception {
    Path f = Files.createTempFile(dir, "agent", ".json");
    Files.writeString(f, json);
    return f;
  }
}
