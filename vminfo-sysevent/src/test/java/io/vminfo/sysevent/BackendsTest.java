package io.vminfo.sysevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {
  @TempDir Path tmp;

  @Test
  void detectsByTheDirectoriesEachBackendReads() throws Exception {
    assertThat(Backends.detect(tmp)).isEqualTo(Backends.Kind.NONE);
    Files.createDirectories(tmp.resolve("run/libvirt/qemu"));
    assertThat(Backends.detect(tmp)).isEqualTo(Backends.Kind.LIBVIRT);
    Path other = Files.createDirectories(tmp.resolve("other/etc/libvirt/qemu"));
    assertThat(Backends.detect(other.getParent().getParent().getParent())).isEqualTo(Backends.Kind.LIBVIRT);
    Files.createDirectories(tmp.resolve("etc/zones"));
    assertThat(Backends.detect(tmp)).isEqualTo(Backends.Kind.SMARTOS);
  }
}
