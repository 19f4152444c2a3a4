package io.vminfo.sysevent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.HostFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFilesTest {
  @TempDir Path tmp;

  @Test
  void refusesSymlinksThatLeaveTheRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("host"));
    Path outside = Files.writeString(tmp.resolve("outside.xml"), "secret");
    Files.createDirectories(root.resolve("etc/zones"));
    Files.createSymbolicLink(root.resolve("etc/zones/z.xml"), outside);
    HostFiles files = new HostFiles(root);
    assertThatThrownBy(() -> files.read(root.resolve("etc/zones/z.xml"), 1024))
        .isInstanceOfSatisfying(
            HostFileException.class, e -> assertThat(e.code()).isEqualTo("SYMLINK_ESCAPE"));
  }

  @Test
  void refusesADirectorySymlinkThatLeavesTheRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("host"));
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/config"));
    Files.writeString(elsewhere.resolve("tags.json"), "{}");
    Files.createDirectories(root.resolve("zones"));
    Files.createSymbolicLink(root.resolve("zones/z1"), tmp.resolve("elsewhere"));
    HostFiles files = new HostFiles(root);
    assertThatThrownBy(() -> files.read(root.resolve("zones/z1/config/tags.json"), 1024))
        .isInstanceOf(HostFileException.class)
        .hasMessageContaining("outside the host root");
  }

  @Test
  void followsSymlinksThatStayInside() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("host"));
    Files.createDirectories(root.resolve("a"));
    Files.writeString(root.resolve("a/real.json"), "{}");
    Files.createSymbolicLink(root.resolve("a/link.json"), root.resolve("a/real.json"));
    assertThat(new HostFiles(root).read(root.resolve("a/link.json"), 10))
        .isEqualTo("{}".getBytes());
  }

  @Test
  void refusesPathsOutsideTheRootAndOversizedFiles() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("host"));
    HostFiles files = new HostFiles(root);
    assertThatThrownBy(() -> files.resolve("/../../etc/passwd"))
        .isInstanceOfSatisfying(
            HostFileException.class, e -> assertThat(e.code()).isEqualTo("PATH_ESCAPE"));
    Files.write(root.resolve("big"), new byte[5000]);
    assertThatThrownBy(() -> files.read(root.resolve("big"), 4096))
        .isInstanceOfSatisfying(
            HostFileException.class, e -> assertThat(e.code()).isEqualTo("TOO_LARGE"));
    assertThatThrownBy(() -> files.read(root.resolve("missing"), 10))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(files.readIfExists(root.resolve("missing"), 10)).isEmpty();
  }

  @Test
  void readsProcfsFilesWhoseSizeIsZero() throws Exception {
    HostFiles files = new HostFiles(Path.of("/"));
    String stat =
        new String(files.read(files.resolve("/proc/self/stat"), 4096), StandardCharsets.UTF_8);
    assertThat(stat).matches("\\d+ \\(.*\\) .*\\s*");
  }
}
