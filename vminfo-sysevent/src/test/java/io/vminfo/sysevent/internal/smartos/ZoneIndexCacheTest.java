package io.vminfo.sysevent.internal.smartos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.sysevent.internal.host.CommandRunner;
import io.vminfo.sysevent.internal.host.HostFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zones index is cached by mtime, size and inode. An in-place rewrite of the same size within
 * one timestamp tick leaves all three as they were; such a file must be read again.
 */
class ZoneIndexCacheTest {
  private static final String Z = "8a4b9257-fc5b-4302-a568-65c376a6ebf7";
  @TempDir Path tmp;

  @Test
  void aRewriteOfTheSameSizeInTheSameTimestampTickIsNotServedFromTheCache() throws Exception {
    Path index = Files.createDirectories(tmp.resolve("etc/zones")).resolve("index");
    String before = Z + ":running:/zones/" + Z + ":" + Z + "\n";
    String after = Z + ":mounted:/zones/" + Z + ":" + Z + "\n"; // the same size
    Files.writeString(index, before);
    SmartOsHost host =
        new SmartOsHost(
            new HostFiles(tmp),
            new CommandRunner(Duration.ofSeconds(5), 1 << 20),
            "00000000-0000-0000-0000-000000000000");
    assertThat(host.index().get(Z).orElseThrow().state()).isEqualTo("running");

    FileTime mtime = Files.getLastModifiedTime(index);
    Files.writeString(index, after); // in place: same inode
    Files.setLastModifiedTime(index, mtime); // as a coarse timestamp tick leaves it
    assertThat(host.index().get(Z).orElseThrow().state()).isEqualTo("mounted");
  }
}
