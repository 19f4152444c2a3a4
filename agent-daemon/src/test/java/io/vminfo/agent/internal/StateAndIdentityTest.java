package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.agent.AgentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateAndIdentityTest {
  @TempDir Path tmp;

  @Test
  void aWritableStateDirIsUsedAsIsWithDerivedSpoolAndArchive() throws Exception {
    Path state = tmp.resolve("state");
    StateDirectories.Resolved r =
        StateDirectories.resolve(
            AgentConfig.builder().set("state_dir", state.toString()).build(), Map.of());
    assertThat(r.stateDir()).isEqualTo(state);
    assertThat(Files.isDirectory(state)).isTrue();
    assertThat(r.spoolDir()).isEqualTo(state.resolve("spool"));
    assertThat(r.archiveDir()).isEqualTo(state.resolve("archive"));
    assertThat(r.fallback()).isEmpty();
  }

  @Test
  void onlyTheFhsDefaultFallsBackToAPerUserDirectory() throws Exception {
    Path blocker = Files.createFile(tmp.resolve("a-file"));
    Path unusable = blocker.resolve("vminfo"); // under a regular file: cannot be created
    AgentConfig c = AgentConfig.builder().set("state_dir", unusable.toString()).build();
    StateDirectories.Resolved r =
        StateDirectories.resolve(
            c, Map.of("XDG_STATE_HOME", tmp.resolve("xdg").toString()), unusable);
    assertThat(r.stateDir()).isEqualTo(tmp.resolve("xdg/vminfo"));
    assertThat(r.fallback().orElseThrow())
        .contains(unusable.toString())
        .contains(tmp.resolve("xdg/vminfo").toString());

    StateDirectories.Resolved home =
        StateDirectories.resolve(c, Map.of("HOME", tmp.resolve("home").toString()), unusable);
    assertThat(home.stateDir()).isEqualTo(tmp.resolve("home/.local/state/vminfo"));

    // anything but the default must be usable as configured
    assertThatThrownBy(() -> StateDirectories.resolve(c, Map.of(), tmp.resolve("other")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("state_dir " + unusable + " is not usable");
  }

  @Test
  void theServerUuidIsGeneratedOnceAndKept() throws Exception {
    String first = ServerIdentity.resolve(Optional.empty(), tmp);
    assertThat(first).matches("[0-9a-f-]{36}");
    assertThat(Files.readString(tmp.resolve("server_uuid"))).isEqualTo(first + "\n");
    assertThat(ServerIdentity.resolve(Optional.empty(), tmp)).isEqualTo(first);
    assertThat(ServerIdentity.resolve(Optional.of("44454C4C-3800-104B-8050-B4C04F4D4E31"), tmp))
        .isEqualTo("44454c4c-3800-104b-8050-b4c04f4d4e31");
    try (var files = Files.list(tmp)) {
      assertThat(files).containsExactly(tmp.resolve("server_uuid")); // no temp files left
    }
  }

  @Test
  void aCorruptServerUuidFileIsAnErrorNotReplaced() throws Exception {
    Files.writeString(tmp.resolve("server_uuid"), "garbage\n");
    assertThatThrownBy(() -> ServerIdentity.resolve(Optional.empty(), tmp))
        .hasMessageContaining("does not hold a server uuid");
    assertThat(Files.readString(tmp.resolve("server_uuid"))).isEqualTo("garbage\n");
  }

  @Test
  void backendDetectionLooksAtTheHostRoot() throws Exception {
    Path smartos = Files.createDirectories(tmp.resolve("smartos/etc/zones"));
    Path libvirtEtc = Files.createDirectories(tmp.resolve("kvm1/etc/libvirt/qemu"));
    Path libvirtRun = Files.createDirectories(tmp.resolve("kvm2/run/libvirt/qemu"));
    assertThat(decide("auto", tmp.resolve("smartos"))).isEqualTo("smartos");
    assertThat(decide("auto", tmp.resolve("kvm1"))).isEqualTo("libvirt");
    assertThat(decide("auto", tmp.resolve("kvm2"))).isEqualTo("libvirt");
    assertThat(decide("auto", tmp.resolve("empty"))).isEqualTo("example");
    assertThat(decide("libvirt", tmp.resolve("smartos"))).isEqualTo("libvirt");
    assertThat(BackendDetector.decide(Providers.BACKENDS, "auto", tmp.resolve("smartos")).reason())
        .contains(smartos.toString());
    assertThat(BackendDetector.decide(Providers.BACKENDS, "auto", tmp.resolve("empty")).reason())
        .startsWith("no backend recognises " + tmp.resolve("empty"))
        .contains("smartos: no " + tmp.resolve("empty/etc/zones"));
    assertThat(libvirtEtc).isDirectory();
    assertThat(libvirtRun).isDirectory();
  }

  private static String decide(String configured, Path root) {
    return BackendDetector.decide(Providers.BACKENDS, configured, root).provider().name();
  }
}
