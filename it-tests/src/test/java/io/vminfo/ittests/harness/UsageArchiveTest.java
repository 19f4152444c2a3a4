package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.ittests.UsageArchive;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageArchiveTest {
  @TempDir Path dir;

  @Test
  void readsPlainAndGzippedObjectsAndSkipsHiddenOnes() throws Exception {
    Path hour = Files.createDirectories(dir.resolve("acct/stor/usage/2026/11/22/10"));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(hour.resolve("s.log.gz")))) {
      out.write("{\"a\":1}\n{\"a\":2}\n".getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(hour.resolve("s.1.log"), "{\"a\":3}\n{\"torn\"");
    Files.writeString(hour.resolve(".s.log.gz.tmp"), "junk");
    Files.createDirectories(dir.resolve(".meta")).resolve("x.log").toFile().createNewFile();
    Files.writeString(hour.resolve("notes.txt"), "not usage");
    List<UsageArchive.UsageObject> objects = UsageArchive.read(dir);
    assertThat(objects)
        .extracting(UsageArchive.UsageObject::path)
        .containsExactly(
            "/acct/stor/usage/2026/11/22/10/s.1.log", "/acct/stor/usage/2026/11/22/10/s.log.gz");
    assertThat(objects.get(0).lines()).containsExactly("{\"a\":3}", "{\"torn\"");
    assertThat(objects.get(0).endsWithNewline()).isFalse();
    assertThat(objects.get(1).lines()).containsExactly("{\"a\":1}", "{\"a\":2}");
    assertThat(objects.get(1).endsWithNewline()).isTrue();
    assertThat(objects.get(1).hour()).isEqualTo("2026/11/22/10");
    assertThat(UsageArchive.read(dir.resolve("missing"))).isEmpty();
  }

  @Test
  void aCorruptGzipIsAClearError() throws Exception {
    Files.writeString(dir.resolve("bad.log.gz"), "not gzip");
    assertThatThrownBy(() -> UsageArchive.read(dir)).hasMessageContaining("not a valid gzip");
  }
}
