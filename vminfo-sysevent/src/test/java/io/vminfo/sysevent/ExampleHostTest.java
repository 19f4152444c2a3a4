package io.vminfo.sysevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleHostTest {
  @TempDir Path tmp;

  @Test
  void theManifestListsEveryBundledFile() throws Exception {
    Path dir = Path.of(ExampleHost.class.getResource("example-host/MANIFEST").toURI()).getParent();
    List<String> onDisk;
    try (Stream<Path> s = Files.walk(dir)) {
      onDisk =
          s.filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString())
              .filter(p -> !p.equals("MANIFEST"))
              .sorted()
              .toList();
    }
    assertThat(ExampleHost.entries())
        .extracting(ExampleHost.Entry::path)
        .containsExactlyInAnyOrderElementsOf(onDisk);
  }

  @Test
  void copiesTheTreeWithExecutableToolsThatWork() throws Exception {
    Path root = ExampleHost.copyTo(tmp.resolve("example"));
    assertThat(Files.isExecutable(root.resolve("usr/sbin/zoneadm"))).isTrue();
    assertThat(Files.isExecutable(root.resolve("usr/bin/kstat"))).isTrue();
    assertThat(Files.isExecutable(root.resolve("etc/zones/index"))).isFalse();
    Process p =
        new ProcessBuilder(root.resolve("usr/sbin/zoneadm").toString(), "list", "-pc")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).isZero();
    assertThat(out.lines()).hasSize(6).first().asString().startsWith("0:global:running:/");
    assertThat(Backends.installed().detect(root).provider().map(BackendProvider::name))
        .contains("smartos");
    // copying again over an existing tree replaces the files
    ExampleHost.copyTo(root);
  }
}
