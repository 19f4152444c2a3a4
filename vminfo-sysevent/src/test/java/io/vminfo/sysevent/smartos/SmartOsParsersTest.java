package io.vminfo.sysevent.smartos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.core.Vm;
import io.vminfo.sysevent.ExampleHost;
import io.vminfo.sysevent.SmartOsSource;
import io.vminfo.sysevent.internal.smartos.ZfsList;
import io.vminfo.sysevent.internal.smartos.ZoneIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsers of captured tool output and small host files. */
class SmartOsParsersTest {
  static final String Z4 = "8c3d4e5f-6071-4c8d-ae9f-3a4b5c6d7e04";

  @TempDir Path tmp;

  @Test
  void zfsListHp() {
    // `zfs list -Hp -o name,mountpoint,quota,volsize,used,type -t filesystem,volume` as captured
    String out =
        "zones\t/zones\t0\t-\t123456789012\tfilesystem\n"
            + "zones/5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01\t/zones/5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01\t"
            + "26843545600\t-\t1894563840\tfilesystem\n"
            + "zones/7b2c3d4e-5f60-4b7c-9d8e-2f3a4b5c6d03-disk0\t-\t-\t21474836480\t22011707392\tvolume\n"
            + "not enough\tcolumns\n";
    ZfsList l = ZfsList.parse(out);
    assertThat(l.byName()).hasSize(3);
    ZfsList.Dataset root =
        l.byMountpoint("/zones/5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01").orElseThrow();
    assertThat(root.quota()).hasValue(25L * 1024 * 1024 * 1024);
    assertThat(root.volsize()).isEmpty();
    ZfsList.Dataset disk = l.get("zones/7b2c3d4e-5f60-4b7c-9d8e-2f3a4b5c6d03-disk0").orElseThrow();
    assertThat(disk.mountpoint()).isEmpty();
    assertThat(disk.volsize()).hasValue(20L * 1024 * 1024 * 1024);
    assertThat(disk.type()).isEqualTo("volume");
  }

  @Test
  void zonesIndexSkipsGlobalCommentsAndBadLines() {
    ZoneIndex index =
        ZoneIndex.parse(
            "# comment\nglobal:installed:/\n"
                + "z1:installed:/zones/z1:0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f\nz2:configured:/zones/z2\n"
                + "broken\n:x:y\n");
    assertThat(index.zones()).containsOnlyKeys("z1", "z2");
    assertThat(index.get("z1").orElseThrow().uuid())
        .contains("0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f");
    assertThat(index.get("z2").orElseThrow().uuid()).isEmpty();
    assertThat(index.badLines()).containsExactly("broken", ":x:y");
  }

  @Test
  void lastexitedStatusLikeVmload() throws Exception {
    assertThat(exitStatus("1779012000 0")).contains(0L);
    assertThat(exitStatus("1779012000 -1")).contains(0L); // OS-3429: normal exit
    assertThat(exitStatus("1779012000 768")).contains(3L); // exited 3
    assertThat(exitStatus("1779012000 9")).contains(-9L); // killed by signal 9
    assertThatThrownBy(() -> exitStatus("1779012000"))
        .hasMessageContaining("wrong number of fields");
  }

  private Optional<Long> exitStatus(String lastexited) throws Exception {
    Path root = ExampleHost.copyTo(tmp.resolve("h" + Math.abs(lastexited.hashCode())));
    Files.writeString(root.resolve("zones/" + Z4 + "/lastexited"), lastexited + "\n");
    try (SmartOsSource src =
        SmartOsSource.builder(ExampleHost.SERVER_UUID).hostRoot(root).build()) {
      var r = src.loadAll();
      if (!r.errors().isEmpty()) {
        throw new IllegalStateException(r.errors().get(0).message());
      }
      Vm vm = r.vms().stream().filter(v -> v.uuid().equals(Z4)).findFirst().orElseThrow();
      return vm.integer("exit_status").isPresent()
          ? Optional.of(vm.integer("exit_status").getAsLong())
          : Optional.empty();
    }
  }
}
