package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.ittests.AgentDistribution;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, SmartOS side: guest actions through {@code vmadm}, here a stand-in in the host tree
 * that changes the zones index the way vmadm does (an atomic rewrite, the zone {@code installed} or
 * {@code running}), logs how it was called, ignores a graceful stop (so the agent must force it
 * after {@code actions.grace}) and fails on request. A reboot passes through {@code installed}, as
 * a zone's does.
 */
class SmartOsActionsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String VMADM =
      """
      #!/bin/sh
      # vmadm stand-in: <root>/usr/sbin/vmadm <command> <uuid> [-F]
      root=$(cd "$(dirname "$0")/../.." && pwd)
      echo "$*" >> "$root/vmadm.log"
      if [ -e "$root/vmadm-fails" ]; then echo "vmadm: zone $2 is broken" >&2; exit 1; fi
      set_state() {
        awk -F: -v OFS=: -v z="$1" -v s="$2" '$1 == z { $2 = s } { print }' \\
          "$root/etc/zones/index" > "$root/etc/zones/index.vmadm" &&
          mv "$root/etc/zones/index.vmadm" "$root/etc/zones/index"
      }
      case "$1" in
        start) set_state "$2" running ;;
        stop)
          if [ "$3" = "-F" ]; then set_state "$2" installed
          else exec sleep 60  # the guest does not hear the shutdown request
          fi ;;
        reboot) set_state "$2" installed; sleep 1; set_state "$2" running ;;
        *) echo "vmadm: unknown command $1" >&2; exit 2 ;;
      esac
      """;

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void actionsRunVmadmAndCompleteWhenTheZoneIsSeenInItsNewState() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    String uuid = UUID.randomUUID().toString();
    tree.create(ZoneSpec.of(uuid, "acted-on").withState("stopped"));
    Path vmadm = tree.root().resolve("usr/sbin/vmadm");
    Files.createDirectories(vmadm.getParent());
    Files.writeString(vmadm, VMADM);
    Files.setPosixFilePermissions(vmadm, PosixFilePermissions.fromString("rwxr-xr-x"));
    WriteKey operator = WriteKey.create(dir.resolve("operator"), "ops@smartos-it");

    try (AgentProcess a =
        E2e.smartosAgent(dir, tree)
            .set("actions.enabled", true)
            .set("actions.authorized_keys", operator.authorizedKeys.toString())
            .set("actions.socket", dir.resolve("agent.sock").toString())
            .set("actions.grace", "1s")
            .set("actions.timeout", "30s")
            .start()) {
      await().atMost(WAIT).until(() -> a.get("/vms/" + uuid).status() == 200);
      assertThat(a.getJson("/vms/" + uuid).path("state").asText()).isEqualTo("stopped");

      assertThat(run(a, operator, uuid, "start")).isEqualTo("Complete running");
      // stop: the graceful request times out after actions.grace, then stop -F
      assertThat(run(a, operator, uuid, "stop")).isEqualTo("Complete stopped");
      assertThat(run(a, operator, uuid, "start")).isEqualTo("Complete running");
      assertThat(run(a, operator, uuid, "reboot")).isEqualTo("Complete running");
      assertThat(run(a, operator, uuid, "poweroff")).isEqualTo("Complete stopped");
      assertThat(Files.readAllLines(tree.root().resolve("vmadm.log")))
          .containsExactly(
              "start " + uuid,
              "stop " + uuid,
              "stop " + uuid + " -F",
              "start " + uuid,
              "reboot " + uuid,
              "stop " + uuid + " -F");

      // zones have no suspend: refused, nothing queued, vmadm not called
      HttpResponse<String> suspend = post(a, operator, uuid, "suspend");
      assertThat(suspend.statusCode()).as(suspend.body()).isEqualTo(409);

      // vmadm fails: the job is Error with what vmadm said, the zone as it was
      Files.writeString(tree.root().resolve("vmadm-fails"), "");
      JsonNode failed =
          awaitJob(a, JSON.readTree(post(a, operator, uuid, "start").body()).path("id").asText());
      assertThat(failed.path("status").asText()).isEqualTo("Error");
      assertThat(failed.path("message").asText()).contains("zone " + uuid + " is broken");
      assertThat(a.getJson("/vms/" + uuid).path("state").asText()).isEqualTo("stopped");
      Files.delete(tree.root().resolve("vmadm-fails"));

      // the CLI, waiting, signed with the operator's key
      Process cli =
          new ProcessBuilder(
                  AgentDistribution.locate().home().resolve("bin/vminfo").toString(),
                  "--url",
                  a.uri().toString(),
                  "start",
                  uuid,
                  "--wait",
                  "--timeout",
                  "30s",
                  "--key",
                  operator.privateKey.toString())
              .redirectErrorStream(true)
              .start();
      assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(cli.exitValue()).as(out).isZero();
      assertThat(out).contains(" start " + uuid + " Complete");
      List<String> requesters = a.getJson("/vms/" + uuid + "/jobs").findValuesAsText("requester");
      assertThat(requesters).hasSize(7).allMatch(r -> r.startsWith("key:ops@smartos-it "));

      // the CLI on the local socket: no key, the peer's credentials say who
      Process local =
          new ProcessBuilder(
                  AgentDistribution.locate().home().resolve("bin/vminfo").toString(),
                  "poweroff",
                  uuid,
                  "--wait",
                  "--timeout",
                  "30s",
                  "--socket",
                  dir.resolve("agent.sock").toString())
              .redirectErrorStream(true)
              .start();
      assertThat(local.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String said = new String(local.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(local.exitValue()).as(said).isZero();
      assertThat(said).contains(" poweroff " + uuid + " Complete");
      assertThat(a.getJson("/vms/" + uuid + "/jobs").findValuesAsText("requester"))
          .last()
          .isEqualTo(
              "unix:"
                  + System.getProperty("user.name")
                  + "("
                  + System.getProperty("user.name")
                  + ")");
    }
  }

  HttpResponse<String> post(AgentProcess a, WriteKey key, String uuid, String action)
      throws Exception {
    return http.send(
        key.post(a.uri().resolve("/vms/" + uuid + "/" + action))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String run(AgentProcess a, WriteKey key, String uuid, String action) throws Exception {
    HttpResponse<String> r = post(a, key, uuid, action);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode done = awaitJob(a, JSON.readTree(r.body()).path("id").asText());
    return done.path("status").asText() + " " + done.path("vm_state").asText();
  }

  static JsonNode awaitJob(AgentProcess a, String id) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> a.getJson("/jobs/" + id),
            j -> j.path("status").asText().matches("Complete|Error"));
  }
}
