package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 point 2, second half, on the packaged agent: an open hour file that another writer tore
 * in the middle (a second agent's duplicated sample, two appends run together) is checked line by
 * line when the agent adopts it at start. The torn and duplicated lines go to {@code corrupt/} with
 * a WARN, a {@code /status} entry and {@code vminfo_usage_set_aside_total}; the good lines are
 * sealed and uploaded, and the uploaded object is exactly them.
 */
class AdoptedHourFileIT {
  private static final DateTimeFormatter HOUR_DIR =
      DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @TempDir Path dir;

  private static String usage(Instant t, String server, String vm) {
    return "{\"v\":1,\"type\":\"usage\",\"timestamp\":\""
        + TIMESTAMP.format(t)
        + "\",\"server_uuid\":\""
        + server
        + "\",\"uuid\":\""
        + vm
        + "\"}";
  }

  private static String summary(Instant t, String server, int count) {
    return "{\"v\":1,\"type\":\"summary\",\"timestamp\":\""
        + TIMESTAMP.format(t)
        + "\",\"server_uuid\":\""
        + server
        + "\",\"vm_count\":"
        + count
        + ",\"runtime_ms\":3}";
  }

  private static List<String> gunzipLines(Path gz) throws Exception {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Test
  void tornLinesGoToCorruptAndOnlyTheGoodOnesAreUploaded() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "vm0"));
    String server = tree.serverUuid();
    AgentProcess.Builder agent = E2e.smartosAgent(dir, tree).set("shutdown_timeout", "5s");

    // An hour long past its grace: adopted, checked, sealed and uploaded at start.
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
    Instant t1 = hour.plus(Duration.ofMinutes(1));
    Instant t2 = hour.plus(Duration.ofMinutes(2));
    String a = UUID.randomUUID().toString();
    String b = UUID.randomUUID().toString();
    List<String> good =
        List.of(
            usage(t1, server, a),
            usage(t1, server, b),
            summary(t1, server, 2),
            usage(t2, server, a),
            usage(t2, server, b),
            summary(t2, server, 2));
    String tornUsage = usage(t2, server, UUID.randomUUID().toString());
    List<String> bad =
        List.of(
            good.get(0),
            good.get(1),
            good.get(2), // a second writer's copy of the first sample
            tornUsage.substring(0, tornUsage.length() - 20)
                + good.get(3)); // two appends run together
    List<String> file = new ArrayList<>(good.subList(0, 3));
    file.addAll(bad);
    file.addAll(good.subList(3, 6));
    Path log =
        agent.stateDir().resolve("spool").resolve(HOUR_DIR.format(hour)).resolve(server + ".log");
    Files.createDirectories(log.getParent());
    Files.writeString(log, String.join("\n", file) + "\n");

    try (AgentProcess p = agent.start()) {
      Path uploaded =
          agent
              .stateDir()
              .resolve("archive/local/stor/usage")
              .resolve(HOUR_DIR.format(hour))
              .resolve(server + ".log.gz");
      await().atMost(WAIT).until(() -> Files.exists(uploaded));
      assertThat(gunzipLines(uploaded)).containsExactlyElementsOf(good);

      String corruptName =
          "corrupt/"
              + HOUR_DIR.format(hour).replace('/', '-')
              + "-"
              + server
              + ".log.adopted-bad-lines";
      Path corrupt = agent.stateDir().resolve("spool").resolve(corruptName);
      assertThat(Files.readAllLines(corrupt)).containsExactlyElementsOf(bad);

      JsonNode setAside = p.getJson("/status").path("usage").path("spool").path("setAside");
      assertThat(setAside)
          .anySatisfy(
              f -> {
                assertThat(f.path("file").asText()).isEqualTo(corruptName);
                assertThat(f.path("reason").asText())
                    .contains("4 line(s)")
                    .contains("6 good line(s) kept");
              });
      assertThat(p.get("/metrics").body())
          .containsPattern("(?m)^vminfo_usage_set_aside_total 1\\.0$");
      assertThat(
              p.logLines(
                  l ->
                      l.level().equals(java.util.Optional.of("WARN"))
                          && l.message().startsWith("adopting ")))
          .singleElement()
          .satisfies(l -> assertThat(l.message()).contains("moved 4 line(s)"));
      assertThat(p.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }
  }
}
