package io.vminfo.sysevent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.sysevent.ExampleHost;
import io.vminfo.sysevent.SmartOsSource;
import io.vminfo.sysevent.SmartOsUsageProbe;
import io.vminfo.sysevent.internal.smartos.KstatOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmartOsUsageProbeTest {
  static final String Z1 = "5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01";
  static final String Z4 = "8c3d4e5f-6071-4c8d-ae9f-3a4b5c6d7e04";

  @TempDir Path tmp;

  @Test
  void theExampleHostShowsRunningZonesWithUsage() throws Exception {
    Path root = ExampleHost.copyTo(tmp.resolve("host"));
    Map<String, Vm> vms;
    try (SmartOsSource src =
        SmartOsSource.builder(ExampleHost.SERVER_UUID).hostRoot(root).build()) {
      vms = src.loadAll().vms().stream().collect(Collectors.toMap(Vm::uuid, v -> v));
    }
    SmartOsUsageProbe probe = SmartOsUsageProbe.builder().hostRoot(root).build();

    VmUsage web = probe.sample(vms.get(Z1));
    assertThat(web.problems()).isEmpty();
    assertThat(web.nics()).containsOnlyKeys("90:b8:d0:1a:2b:01", "90:b8:d0:1a:2b:02");
    VmUsage.NicUsage net0 = web.nics().get("90:b8:d0:1a:2b:01");
    assertThat(net0.interfaceName()).isEqualTo("net0");
    assertThat(net0.receivedBytes().getAsLong())
        .isGreaterThan(net0.sentBytes().getAsLong())
        .isPositive();
    assertThat(net0.counterStart()).isEqualTo(Instant.parse("2026-01-01T00:00:00.250Z"));
    VmUsage.CpuUsage cpu = web.cpu().orElseThrow();
    assertThat(cpu.cpuSeconds()).isPositive();
    assertThat(cpu.counterStart()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(web.memory().orElseThrow().rssBytes()).isPositive();

    VmUsage stopped = probe.sample(vms.get(Z4));
    assertThat(stopped.nics()).isEmpty();
    assertThat(stopped.cpu()).isEmpty();
  }

  @Test
  void withoutKstatNothingIsInventedAndTheProblemIsNamed() throws Exception {
    Path root = ExampleHost.copyTo(tmp.resolve("host"));
    Vm web;
    try (SmartOsSource src =
        SmartOsSource.builder(ExampleHost.SERVER_UUID).hostRoot(root).build()) {
      web = src.loadAll().vms().stream().filter(v -> v.uuid().equals(Z1)).findFirst().orElseThrow();
    }
    Files.delete(root.resolve("usr/bin/kstat"));
    VmUsage u = SmartOsUsageProbe.builder().hostRoot(root).build().sample(web);
    assertThat(u.nics()).isEmpty();
    assertThat(u.cpu()).isEmpty();
    assertThat(u.problems()).containsExactly("no kstat under the host root");
  }

  @Test
  void parsesCapturedKstatOutput() {
    String out =
        String.join(
            "\n",
            List.of(
                "link:23:net0:rbytes64\t123456789",
                "link:23:net0:obytes64\t987654",
                "link:23:net0:crtime\t4817.201736102",
                "zones:23:0b1c2d3e-4f50-4617-8829-3a4b5c6d7:nsec_user\t90000000000",
                "unix:0:system_misc:boot_time\t1767222000",
                "garbage line"));
    KstatOutput k = KstatOutput.parse(out);
    assertThat(k.value("link:23:net0", "rbytes64")).contains("123456789");
    assertThat(KstatOutput.integer(k.byKstat().get("link:23:net0"), "crtime")).hasValue(4817);
    assertThat(k.byKstat()).hasSize(3);
  }
}
