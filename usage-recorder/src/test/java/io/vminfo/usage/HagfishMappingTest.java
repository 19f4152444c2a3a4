package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.core.testing.SharedFixtures;
import io.vminfo.usage.internal.RecordCodec;
import io.vminfo.usage.testing.Records;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The hagfish mapping documented in docs/usage-schema.md ("Coming from hagfish"), checked on
 * hagfish records: each HF4 usage record, read as a VM and its counters the way our backends report
 * them, gives a valid v1 record carrying the same values under the v1 names.
 */
class HagfishMappingTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void ourOwnHf4SampleMapsOntoV1() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/hagfish/hf4-own-sample.log")) {
      checkHf4(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void theSharedHf4FixtureMapsOntoV1() throws IOException {
    Path f =
        SharedFixtures.require("hagfish/hf4-constructed-example.log", "HagfishMappingTest (hf4)");
    checkHf4(Files.readString(f));
  }

  @Test
  void theSharedV1DocsSampleMapsOntoV1() throws IOException {
    Path f =
        SharedFixtures.require(
            "hagfish/hagfish-docs-sample-v1.json", "HagfishMappingTest (v1 sample)");
    JsonNode h = Records.JSON.readTree(f.toFile());
    ObjectNode withServer = (ObjectNode) h.deepCopy();
    withServer.put("server_uuid", "44454c4c-5000-104d-8037-b7c04f5a5131");
    checkUsage(withServer);
  }

  private static void checkHf4(String text) throws IOException {
    int usage = 0;
    int summaries = 0;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode h = Records.JSON.readTree(line);
      if (h.path("type").asText().equals("summary")) {
        Instant t = Instant.parse(h.path("timestamp").asText()).truncatedTo(ChronoUnit.MINUTES);
        String ours =
            new String(
                    RecordCodec.encode(
                            t,
                            h.path("server_uuid").asText(),
                            Optional.of(h.path("datacenter_name").asText()),
                            List.of(),
                            h.path("runtime").asLong())
                        .bytes(),
                    StandardCharsets.UTF_8)
                .strip();
        JsonNode n = Records.check(ours);
        assertThat(n.path("runtime_ms").asLong()).isEqualTo(h.path("runtime").asLong());
        summaries++;
      } else {
        checkUsage(h);
        usage++;
      }
    }
    assertThat(usage).isPositive();
    assertThat(summaries).isPositive();
  }

  /** Reads a hagfish usage record as a VM plus usage, writes it as v1, compares the values. */
  private static void checkUsage(JsonNode h) {
    JsonNode config = h.path("config");
    JsonNode attrs = config.path("attributes");
    Vm.Builder vm =
        Vm.Builder.create(h.path("uuid").asText())
            .put("alias", attrs.path("alias").asText())
            .put("brand", config.path("brand").asText())
            .put("state", h.path("status").asText())
            .put("owner_uuid", attrs.path("owner-uuid").asText())
            .put("image_uuid", attrs.path("dataset-uuid").asText())
            .put("billing_id", attrs.path("billing-id").asText())
            .put(
                "max_physical_memory",
                Long.parseLong(config.path("max_physical_memory").asText()) / MIB);
    Map<String, String> macByPhysical = new LinkedHashMap<>();
    for (JsonNode net : config.path("networks")) {
      macByPhysical.put(net.path("physical").asText(), net.path("mac_addr").asText());
    }
    Map<String, VmUsage.NicUsage> nics = new LinkedHashMap<>();
    h.path("network_usage")
        .properties()
        .forEach(
            e -> {
              JsonNode c = e.getValue();
              nics.put(
                  macByPhysical.get(e.getKey()),
                  new VmUsage.NicUsage(
                      e.getKey(),
                      OptionalLong.of(c.path("received_bytes").asLong()),
                      OptionalLong.of(c.path("sent_bytes").asLong()),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      Instant.parse(c.path("counter_start").asText())));
            });
    Map<String, VmUsage.DiskUsage> disks = new LinkedHashMap<>();
    List<JsonNode> datasets = new ArrayList<>();
    h.path("disk_usage").forEach(datasets::add);
    for (JsonNode d : datasets) {
      String type = d.path("type").asText();
      if (type.equals("snapshot")) {
        continue; // counted in its filesystem's "used"
      }
      JsonNode size = type.equals("volume") ? d.path("volsize") : d.path("quota");
      disks.put(
          d.path("name").asText(),
          new VmUsage.DiskUsage(
              OptionalLong.of(d.path("used").asLong()),
              size.isNumber() ? OptionalLong.of(size.asLong()) : OptionalLong.empty()));
    }
    VmUsage usage = new VmUsage(nics, Optional.empty(), Optional.empty(), disks, List.of());
    Instant t = Instant.parse(h.path("timestamp").asText()).truncatedTo(ChronoUnit.MINUTES);
    Optional<String> dc =
        h.has("datacenter_name")
            ? Optional.of(h.path("datacenter_name").asText())
            : Optional.empty();
    JsonNode n =
        Records.check(
            UsageRecord.of(t, h.path("server_uuid").asText(), dc, vm.build(), usage).toJson());

    assertThat(n.path("uuid").asText()).isEqualTo(h.path("uuid").asText());
    assertThat(n.path("status").asText()).isEqualTo(h.path("status").asText());
    assertThat(n.path("alias").asText()).isEqualTo(attrs.path("alias").asText());
    assertThat(n.path("package_uuid").asText()).isEqualTo(attrs.path("billing-id").asText());
    assertThat(n.path("image_uuid").asText()).isEqualTo(attrs.path("dataset-uuid").asText());
    assertThat(n.path("max_physical_memory").asLong() * MIB)
        .isEqualTo(Long.parseLong(config.path("max_physical_memory").asText()));
    h.path("network_usage")
        .properties()
        .forEach(
            e -> {
              JsonNode ours = n.path("network_usage").path(macByPhysical.get(e.getKey()));
              assertThat(ours.path("interface").asText()).isEqualTo(e.getKey());
              assertThat(ours.path("sent_bytes").asLong())
                  .isEqualTo(e.getValue().path("sent_bytes").asLong());
              assertThat(ours.path("received_bytes").asLong())
                  .isEqualTo(e.getValue().path("received_bytes").asLong());
              assertThat(Instant.parse(ours.path("counter_start").asText()))
                  .isEqualTo(Instant.parse(e.getValue().path("counter_start").asText()));
            });
    for (JsonNode d : datasets) {
      if (!d.path("type").asText().equals("snapshot")) {
        assertThat(n.path("disk_usage").path(d.path("name").asText()).path("used_bytes").asLong())
            .isEqualTo(d.path("used").asLong());
      }
    }
  }
}
