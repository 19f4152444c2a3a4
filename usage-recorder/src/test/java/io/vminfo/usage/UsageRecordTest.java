package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.usage.internal.Batch;
import io.vminfo.usage.internal.RecordCodec;
import io.vminfo.usage.testing.Records;
import io.vminfo.usage.testing.TestVms;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class UsageRecordTest {
  private static final Instant T = Instant.parse("2026-11-22T10:01:00Z");

  @Test
  void writesEveryKeyInContractOrder() {
    Vm vm = TestVms.vm(1);
    UsageRecord r =
        UsageRecord.of(T, TestVms.SERVER, Optional.of("us-east-1"), vm, TestVms.usageOf(vm));
    String json = r.toJson();
    JsonNode n = Records.check(json);
    assertThat(Records.fieldNames(n))
        .containsExactly(
            "v",
            "type",
            "timestamp",
            "server_uuid",
            "datacenter_name",
            "uuid",
            "alias",
            "brand",
            "owner_uuid",
            "image_uuid",
            "package_uuid",
            "status",
            "max_physical_memory",
            "vcpus",
            "quota",
            "network_usage",
            "cpu_usage",
            "memory_usage",
            "disk_usage");
    assertThat(json)
        .startsWith(
            "{\"v\":1,\"type\":\"usage\",\"timestamp\":\"2026-11-22T10:01:00.000Z\","
                + "\"server_uuid\":\""
                + TestVms.SERVER
                + "\",\"datacenter_name\":\"us-east-1\",\"uuid\":\""
                + vm.uuid()
                + "\",\"alias\":\"vm-1\",\"brand\":\"joyent-minimal\"");
    assertThat(n.path("package_uuid").asText()).isEqualTo("73a1ca34-1e30-48c7-8681-70314a9c67d3");
    assertThat(n.path("status").asText()).isEqualTo("running");
    JsonNode nic = n.path("network_usage").path(TestVms.mac(1, 0));
    assertThat(Records.fieldNames(nic))
        .containsExactly(
            "interface",
            "received_bytes",
            "sent_bytes",
            "received_packets",
            "sent_packets",
            "counter_start");
    assertThat(nic.path("counter_start").asText()).isEqualTo("2026-11-20T08:00:00.000Z");
    assertThat(n.path("cpu_usage").path("counter_start").asText())
        .isEqualTo("2026-11-20T08:00:00.000Z");
    assertThat(json).doesNotContain("null").doesNotContain("\n");
  }

  /** The keys added to v1 come after the keys their object had, and pass the contract check. */
  @Test
  void addedKeysErrorsDropsBalloonAndDiskIoComeLast() {
    Vm vm = TestVms.vm(1);
    Instant start = Instant.parse("2026-11-20T08:00:00Z");
    VmUsage u =
        new VmUsage(
            Map.of(
                TestVms.mac(1, 0),
                new VmUsage.NicUsage(
                    "vnet0",
                    OptionalLong.of(10),
                    OptionalLong.of(20),
                    OptionalLong.of(1),
                    OptionalLong.of(2),
                    OptionalLong.of(3),
                    OptionalLong.of(4),
                    OptionalLong.of(5),
                    OptionalLong.empty(),
                    start)),
            Optional.of(new VmUsage.CpuUsage(1.5, start)),
            Optional.of(new VmUsage.MemoryUsage(4096, OptionalLong.of(1 << 30))),
            Map.of(
                "/var/lib/libvirt/images/a.qcow2",
                new VmUsage.DiskUsage(OptionalLong.of(1), OptionalLong.of(2))),
            Optional.of(new VmUsage.DiskIo(409600, 1228800, start)),
            List.of());
    String json = UsageRecord.of(T, TestVms.SERVER, Optional.empty(), vm, u).toJson();
    JsonNode n = Records.check(json);
    assertThat(Records.fieldNames(n))
        .endsWith("network_usage", "cpu_usage", "memory_usage", "disk_usage", "disk_io");
    assertThat(Records.fieldNames(n.path("network_usage").path(TestVms.mac(1, 0))))
        .containsExactly(
            "interface",
            "received_bytes",
            "sent_bytes",
            "received_packets",
            "sent_packets",
            "counter_start",
            "received_errors",
            "sent_errors",
            "received_drops");
    assertThat(json)
        .contains("\"memory_usage\":{\"rss_bytes\":4096,\"balloon_bytes\":1073741824}")
        .endsWith(
            "\"disk_io\":{\"read_bytes\":409600,\"write_bytes\":1228800,"
                + "\"counter_start\":\"2026-11-20T08:00:00.000Z\"}}");
    // what `vminfo usage verify` runs: schema and key order
    assertThat(
            UsageLineCheck.forFile(
                    java.nio.file.Path.of("2026/11/22/10/" + TestVms.SERVER + ".log"))
                .check(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UsageLineCheck.Good.class);
  }

  /** Per-disk block I/O: a new object after disk_io, by target device, fixed key order. */
  @Test
  void blockIoPerDiskComesAfterDiskIo() {
    Vm vm = TestVms.vm(1);
    Instant start = Instant.parse("2026-11-20T08:00:00Z");
    Map<String, VmUsage.BlockIo> blocks = new java.util.LinkedHashMap<>();
    blocks.put(
        "vda",
        new VmUsage.BlockIo(
            Optional.of("/var/lib/libvirt/images/a.qcow2"), 120, 4915200, 30, 122880, start));
    blocks.put("hdc", new VmUsage.BlockIo(Optional.empty(), 2, 1024, 0, 0, start));
    VmUsage u =
        new VmUsage(
            Map.of(),
            Optional.of(new VmUsage.CpuUsage(1.5, start)),
            Optional.empty(),
            Map.of(
                "/var/lib/libvirt/images/a.qcow2",
                new VmUsage.DiskUsage(OptionalLong.of(1), OptionalLong.of(2))),
            Optional.of(new VmUsage.DiskIo(409600, 1228800, start)),
            blocks,
            List.of());
    String json = UsageRecord.of(T, TestVms.SERVER, Optional.empty(), vm, u).toJson();
    JsonNode n = Records.check(json);
    assertThat(Records.fieldNames(n)).endsWith("disk_usage", "disk_io", "block_io");
    assertThat(json)
        .endsWith(
            "\"block_io\":{\"vda\":{\"path\":\"/var/lib/libvirt/images/a.qcow2\","
                + "\"read_requests\":120,\"read_bytes\":4915200,\"write_requests\":30,\"write_bytes\":122880,"
                + "\"counter_start\":\"2026-11-20T08:00:00.000Z\"},\"hdc\":{\"read_requests\":2,"
                + "\"read_bytes\":1024,\"write_requests\":0,\"write_bytes\":0,"
                + "\"counter_start\":\"2026-11-20T08:00:00.000Z\"}}}");
    assertThat(
            UsageLineCheck.forFile(
                    java.nio.file.Path.of("2026/11/22/10/" + TestVms.SERVER + ".log"))
                .check(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UsageLineCheck.Good.class);
    // the contract check sees a block_io entry out of order
    String swapped =
        json.replace(
            "\"read_requests\":120,\"read_bytes\":4915200",
            "\"read_bytes\":4915200,\"read_requests\":120");
    assertThat(
            UsageLineCheck.forFile(
                    java.nio.file.Path.of("2026/11/22/10/" + TestVms.SERVER + ".log"))
                .check(swapped.getBytes(StandardCharsets.UTF_8)))
        .isNotInstanceOf(UsageLineCheck.Good.class);
  }

  @Test
  void omitsWhatIsUnknownInsteadOfInventingIt() {
    Vm bare = Vm.Builder.create(TestVms.uuid(2)).put("brand", "kvm").build();
    UsageRecord r = UsageRecord.of(T, "host-1", Optional.empty(), bare, VmUsage.EMPTY);
    assertThat(r.toJson())
        .isEqualTo(
            "{\"v\":1,\"type\":\"usage\",\"timestamp\":\"2026-11-22T10:01:00.000Z\","
                + "\"server_uuid\":\"host-1\",\"uuid\":\""
                + TestVms.uuid(2)
                + "\",\"brand\":\"kvm\"}");
    Records.check(r.toJson());

    VmUsage partial =
        new VmUsage(
            Map.of(
                "90:b8:d0:00:00:01",
                new VmUsage.NicUsage(
                    "",
                    OptionalLong.of(5),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    TestVms.BOOT)),
            Optional.empty(),
            Optional.empty(),
            Map.of(
                "/var/lib/libvirt/images/a.qcow2",
                new VmUsage.DiskUsage(OptionalLong.empty(), OptionalLong.of(10))),
            List.of("cpu: no such process"));
    String json = UsageRecord.of(T, "host-1", Optional.empty(), bare, partial).toJson();
    Records.check(json);
    assertThat(json)
        .endsWith(
            "\"network_usage\":{\"90:b8:d0:00:00:01\":{\"received_bytes\":5,"
                + "\"counter_start\":\"2026-11-20T08:00:00.000Z\"}},\"disk_usage\":{"
                + "\"/var/lib/libvirt/images/a.qcow2\":{\"size_bytes\":10}}}");
  }

  @Test
  void cpuSecondsArePlainDecimalsWithAtMostMicroseconds() {
    Vm vm = Vm.Builder.create(TestVms.uuid(3)).build();
    for (double s : new double[] {0, 10, 0.1 + 0.2, 1e-9, 12345678.9, 1e7}) {
      VmUsage u =
          new VmUsage(
              Map.of(),
              Optional.of(new VmUsage.CpuUsage(s, TestVms.BOOT)),
              Optional.empty(),
              Map.of(),
              List.of());
      String json = UsageRecord.of(T, "h", Optional.empty(), vm, u).toJson();
      JsonNode n = Records.check(json);
      String text = json.replaceAll(".*\"cpu_seconds\":([^,}]*).*", "$1");
      assertThat(text).doesNotContain("E").matches("[0-9]+(\\.[0-9]{1,6})?");
      assertThat(n.path("cpu_usage").path("cpu_seconds").asDouble())
          .isCloseTo(s, org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @Test
  void escapesHostileStringsAndKeepsOneLinePerRecord() {
    Vm vm = Vm.Builder.create(TestVms.uuid(4)).put("alias", "a\nb\"c\u2028\u0000é").build();
    String json = UsageRecord.of(T, "h", Optional.empty(), vm, VmUsage.EMPTY).toJson();
    assertThat(json).doesNotContain("\n");
    JsonNode n = Records.check(json);
    assertThat(n.path("alias").asText()).isEqualTo("a\nb\"c\u2028\u0000é");
  }

  @Test
  void aBatchIsTheUsageLinesThenTheSummary() {
    List<UsageRecord> records =
        List.of(
            UsageRecord.of(
                T,
                TestVms.SERVER,
                Optional.of("dc"),
                TestVms.vm(1),
                TestVms.usageOf(TestVms.vm(1))),
            UsageRecord.of(T, TestVms.SERVER, Optional.of("dc"), TestVms.vm(2), VmUsage.EMPTY));
    Batch b = RecordCodec.encode(T, TestVms.SERVER, Optional.of("dc"), records, 42);
    String text = new String(b.bytes(), StandardCharsets.UTF_8);
    String[] lines = text.split("\n");
    assertThat(text).endsWith("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).isEqualTo(records.get(0).toJson());
    assertThat(lines[2])
        .isEqualTo(
            "{\"v\":1,\"type\":\"summary\",\"timestamp\":\"2026-11-22T10:01:00.000Z\","
                + "\"server_uuid\":\""
                + TestVms.SERVER
                + "\",\"datacenter_name\":\"dc\",\"vm_count\":2,\"runtime_ms\":42}");
    for (String l : lines) {
      Records.check(l);
    }
    assertThat(b.usageRecords()).isEqualTo(2);
    byte[] summary = lines[2].getBytes(StandardCharsets.UTF_8);
    assertThat(RecordCodec.summaryTimestamp(summary, 0, summary.length)).contains(T);
    byte[] usage = lines[0].getBytes(StandardCharsets.UTF_8);
    assertThat(RecordCodec.summaryTimestamp(usage, 0, usage.length)).isEmpty();
  }

  @Test
  void validatesItsArguments() {
    Vm vm = TestVms.vm(1);
    assertThatThrownBy(
            () -> UsageRecord.of(T.plusNanos(1), "h", Optional.empty(), vm, VmUsage.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("millisecond");
    assertThatThrownBy(() -> UsageRecord.of(T, "", Optional.empty(), vm, VmUsage.EMPTY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                RecordCodec.encode(
                    T.plusSeconds(60),
                    "h",
                    Optional.empty(),
                    List.of(UsageRecord.of(T, "h", Optional.empty(), vm, VmUsage.EMPTY)),
                    0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSchemaRejectsWhatV1DoesNotAllow() {
    String good = UsageRecord.of(T, "h", Optional.empty(), TestVms.vm(1), VmUsage.EMPTY).toJson();
    Records.check(good);
    for (String bad :
        List.of(
            good.replace("\"v\":1", "\"v\":2"),
            good.replace("2026-11-22T10:01:00.000Z", "2026-11-22T10:01:00Z"),
            good.replace("\"vcpus\":2", "\"vcpus\":null"),
            good.replace("\"vcpus\":2", "\"vcpus\":-2"),
            good.replace("\"quota\":25", "\"quota\":25,\"extra\":1"),
            good.replace(",\"uuid\":\"" + TestVms.uuid(1) + "\"", ""))) {
      assertThatThrownBy(() -> Records.check(bad)).as(bad).isInstanceOf(AssertionError.class);
    }
  }
}
