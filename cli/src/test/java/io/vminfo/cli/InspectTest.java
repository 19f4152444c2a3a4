package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.FixtureBackendProvider;
import io.vminfo.cli.testing.Golden;
import io.vminfo.cli.testing.Vms;
import io.vminfo.core.Vm;
import io.vminfo.sysevent.ExampleHost;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo inspect}: the sysevent backends on real host trees, without an agent. */
class InspectTest {
  static final String WEB01 = "5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01";

  @TempDir Path dir;

  @Test
  void bundledExampleHost() throws Exception {
    Result r = cli().run("inspect", "--example");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    Golden.assertMatches("inspect-example.txt", r.out());
    Result cols =
        cli()
            .run(
                "inspect",
                "--example",
                "-o",
                "alias,type,ram,zone_state,nics.0.ip",
                "-s",
                "-ram",
                "state=running");
    Golden.assertMatches("inspect-example-columns.txt", cols.out());
  }

  @Test
  void jsonHasCompleteVms() throws Exception {
    Path root = ExampleHost.copyTo(dir.resolve("host"));
    Result r = cli().run("inspect", "--backend", "smartos", "--root", root.toString(), "-j");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode vms = CliJson.parse(r.out().getBytes(StandardCharsets.UTF_8));
    assertThat(vms).hasSize(5);
    for (JsonNode vm : vms) {
      assertThat(Vm.of(vm).missingRequiredKeys()).isEmpty();
      assertThat(vm.path("server_uuid").asText()).isEqualTo(ExampleHost.SERVER_UUID);
    }
  }

  @Test
  void aBrokenZoneIsReportedAndTheOthersStillLoad() throws Exception {
    Path root = ExampleHost.copyTo(dir.resolve("host"));
    Files.writeString(
        root.resolve("etc/zones/" + WEB01 + ".xml"),
        "<?xml version=\"1.0\"?><!DOCTYPE zone [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<zone name=\"&x;\"/>");
    Result r = cli().run("inspect", "--root", root.toString(), "-H", "-o", "alias");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("ubuntu-lx\nwin-kvm\ndebian-bhyve\nbuild-box\n");
    assertThat(r.err())
        .startsWith("vminfo: cannot load " + WEB01 + " (" + WEB01 + "): ")
        .doesNotContain("root:")
        .endsWith("\n");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void libvirtHostTree() throws Exception {
    Path qemu = Files.createDirectories(dir.resolve("host/etc/libvirt/qemu"));
    copy("web-02.xml", qemu);
    Result r =
        cli()
            .run(
                "inspect",
                "--root",
                dir.resolve("host").toString(),
                "-o",
                "uuid,alias,brand,state,vcpus,max_physical_memory,owner_uuid,nics.0.mac");
    assertThat(r.exit()).as(r.toString()).isZero();
    Golden.assertMatches("inspect-libvirt.txt", r.out());

    copy("broken.xml", qemu);
    Result broken =
        cli()
            .run(
                "inspect",
                "--backend",
                "libvirt",
                "--root",
                dir.resolve("host").toString(),
                "-H",
                "-o",
                "alias");
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.out()).isEqualTo("web-02\n");
    assertThat(broken.err()).startsWith("vminfo: cannot load broken: ");
  }

  @Test
  void whereThereIsNoHost() {
    Result none = cli().run("inspect", "--root", dir.toString());
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err())
        .startsWith("vminfo: no host backend recognises " + dir + " (")
        .contains("smartos: no " + dir.resolve("etc/zones"))
        .contains(
            "libvirt: neither "
                + dir.resolve("etc/libvirt/qemu")
                + " nor "
                + dir.resolve("run/libvirt/qemu"))
        .endsWith("); use --backend and --root, or --example for the bundled example host\n");
    Result missing = cli().run("inspect", "--root", dir.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("is not a directory");
    Result both = cli().run("inspect", "--example", "--root", dir.toString());
    assertThat(both.exit()).isEqualTo(2);
    Result badBackend = cli().run("inspect", "--backend", "xen");
    assertThat(badBackend.exit()).isEqualTo(2);
    assertThat(badBackend.err())
        .contains(
            "unknown backend \"xen\"; the known backends are"
                + " fixture, smartos, libvirt, example");
    Result exampleAndLibvirt = cli().run("inspect", "--example", "--backend", "libvirt");
    assertThat(exampleAndLibvirt.exit()).isEqualTo(2);
  }

  @Test
  void theExampleBackendByNameIsTheSameAsExample() throws Exception {
    Result byName = cli().run("inspect", "--backend", "example");
    assertThat(byName.exit()).as(byName.toString()).isZero();
    Golden.assertMatches("inspect-example.txt", byName.out());
  }

  @Test
  void aBackendRegisteredOnlyByATestServicesFileIsDetectedAndNamed() throws Exception {
    // The fixture provider (order 50) asks before SmartOS, so a SmartOS tree with its marker is
    // a fixture host; --backend smartos still reads it as SmartOS.
    Path root = ExampleHost.copyTo(dir.resolve("host"));
    Files.createFile(root.resolve(FixtureBackendProvider.MARKER));
    Result auto = cli().run("inspect", "--root", root.toString(), "-H", "-o", "alias");
    assertThat(auto.exit()).as(auto.toString()).isZero();
    assertThat(auto.out())
        .isEqualTo(Vms.web().alias().orElseThrow() + "\n" + Vms.db().alias().orElseThrow() + "\n");
    Result named =
        cli().run("inspect", "--backend", "fixture", "--root", dir.toString(), "-H", "-o", "alias");
    assertThat(named.out()).isEqualTo(auto.out());
    Result smartos =
        cli()
            .run("inspect", "--backend", "smartos", "--root", root.toString(), "-H", "-o", "alias");
    assertThat(smartos.out().lines()).hasSize(5);
  }

  private static void copy(String resource, Path to) throws Exception {
    try (InputStream in = InspectTest.class.getResourceAsStream("/libvirt/" + resource)) {
      Files.copy(in, to.resolve(resource), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
