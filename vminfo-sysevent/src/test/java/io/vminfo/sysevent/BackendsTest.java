package io.vminfo.sysevent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.core.VmSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {
  static final String UUID = "00000000-0000-0000-0000-000000000001";

  @TempDir Path tmp;

  @Test
  void theServiceFilesRegisterTheShippedBackendsAndTheTestOneInDetectionOrder() {
    Backends installed = Backends.installed();
    // fixture (order 50) is this module's test provider: only its services file names it.
    assertThat(installed.names()).containsExactly("fixture", "smartos", "libvirt", "example");
    assertThat(installed.named("LibVirt").name()).isEqualTo("libvirt");
    assertThat(installed.named("libvirt").settings())
        .extracting(BackendSetting::key)
        .containsExactly("actions.libvirt_uri", "actions.libvirt_transport");
  }

  @Test
  void detectsByTheDirectoriesEachBackendReadsSmartOsBeforeLibvirt() throws Exception {
    Backends backends = Backends.installed();
    Backends.Detected none = backends.detect(tmp);
    assertThat(none.provider()).isEmpty();
    assertThat(none.reason())
        .contains("smartos: no " + tmp.resolve("etc/zones"))
        .contains("libvirt: neither " + tmp.resolve("etc/libvirt/qemu"));
    Files.createDirectories(tmp.resolve("run/libvirt/qemu"));
    assertThat(detected(backends, tmp)).isEqualTo("libvirt");
    Path other = Files.createDirectories(tmp.resolve("other/etc/libvirt/qemu"));
    assertThat(detected(backends, other.getParent().getParent().getParent())).isEqualTo("libvirt");
    Files.createDirectories(tmp.resolve("etc/zones"));
    assertThat(detected(backends, tmp)).isEqualTo("smartos");
    assertThat(backends.detect(tmp).reason()).isEqualTo(tmp.resolve("etc/zones") + " exists");
    // The test-only provider asks first, so it wins over both.
    Files.createFile(tmp.resolve("etc/fixture-host"));
    assertThat(detected(backends, tmp)).isEqualTo("fixture");
  }

  @Test
  void theExampleHostIsNeverDetectedOnlyNamed() throws Exception {
    Backends backends = Backends.installed();
    assertThat(backends.detect(tmp).reason()).contains("example: never detected");
    BackendProvider example = backends.named("example");
    try (VmSource source = example.source(BackendRequest.of(tmp, tmp.resolve("state"), UUID))) {
      assertThat(source.loadAll().vms()).hasSize(5);
    }
    assertThat(tmp.resolve("state/example-host/etc/zones/index")).isRegularFile();
  }

  @Test
  void anUnknownNameListsTheKnownBackends() {
    assertThatThrownBy(() -> Backends.installed().named("xen"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown backend \"xen\"; the known backends are fixture, smartos, libvirt,"
                + " example");
    assertThat(Backends.installed().find("xen")).isEmpty();
  }

  @Test
  void aProviderSettingComesFromTheRequestElseItsDefault() throws Exception {
    BackendProvider fixture = Backends.installed().named("fixture");
    try (VmSource plain = fixture.source(BackendRequest.of(tmp, tmp, UUID))) {
      assertThat(plain.name()).isEqualTo("fixture-plain");
    }
    BackendRequest labelled =
        new BackendRequest(tmp, tmp, UUID, false, Map.of("fixture.label", "blue"));
    try (VmSource blue = fixture.create(labelled).source()) {
      assertThat(blue.name()).isEqualTo("fixture-blue");
    }
  }

  @Test
  void namesMustBeUniqueAndWellFormed() {
    FixtureBackendProvider fixture = new FixtureBackendProvider();
    assertThatThrownBy(() -> Backends.of(List.of(fixture, new FixtureBackendProvider())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("two backend providers are named \"fixture\"");
    BackendProvider auto = new Renamed(fixture, "auto");
    assertThatThrownBy(() -> Backends.of(List.of(auto)))
        .hasMessageContaining("has the name \"auto\"");
    assertThatThrownBy(() -> Backends.of(List.of(new Renamed(fixture, "Xen Host"))))
        .hasMessageContaining("lower case letters");
    assertThat(Backends.of(List.of()).detect(tmp).reason())
        .isEqualTo("no backend providers are installed");
  }

  private static String detected(Backends backends, Path root) {
    return backends.detect(root).provider().orElseThrow().name();
  }

  /** Another name for a provider, to break the naming rules. */
  private record Renamed(BackendProvider delegate, String name) implements BackendProvider {
    @Override
    public int detectionOrder() {
      return delegate.detectionOrder();
    }

    @Override
    public Detection detect(Path hostRoot) {
      return delegate.detect(hostRoot);
    }

    @Override
    public VmSource source(BackendRequest request) throws java.io.IOException {
      return delegate.source(request);
    }

    @Override
    public BackendParts create(BackendRequest request) throws java.io.IOException {
      return delegate.create(request);
    }
  }
}
