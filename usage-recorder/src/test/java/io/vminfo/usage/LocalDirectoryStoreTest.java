package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.usage.internal.Md5;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryStoreTest {
  @TempDir Path tmp;

  @Test
  void storesAtomicallyUnderTheRootAndReportsTheMd5() throws Exception {
    Path src = tmp.resolve("src.gz");
    Files.writeString(src, "hello\n");
    LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("store"));
    String md5 = Md5.ofFile(src);
    StoredObject o = store.put(src, "/acct/stor/usage/2026/11/22/10/s.log.gz", md5);
    assertThat(o.computedMd5Base64()).isEqualTo(md5);
    assertThat(o.bytes()).isEqualTo(6);
    Path target = tmp.resolve("store/acct/stor/usage/2026/11/22/10/s.log.gz");
    assertThat(target).hasContent("hello");
    // Replacing an object leaves only the new content and no temp file behind.
    Files.writeString(src, "bye\n");
    store.put(src, "/acct/stor/usage/2026/11/22/10/s.log.gz", Md5.ofFile(src));
    assertThat(target).hasContent("bye");
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void aWrongMd5IsATransientFailureAndStoresNothing() throws Exception {
    Path src = tmp.resolve("src");
    Files.writeString(src, "data\n");
    LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("store"));
    String other = Md5.of("other".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> store.put(src, "/a/b.log.gz", other))
        .isInstanceOfSatisfying(
            ObjectStoreException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessageContaining("MD5 mismatch");
    try (Stream<Path> files = Files.list(tmp.resolve("store/a"))) {
      assertThat(files).isEmpty();
    }
    assertThatThrownBy(() -> store.put(src, "/a/b.log.gz", "not-md5"))
        .isInstanceOfSatisfying(
            ObjectStoreException.class, e -> assertThat(e.isTransient()).isFalse());
  }

  @Test
  void refusesPathsThatLeaveTheRoot() throws Exception {
    Path src = tmp.resolve("src");
    Files.writeString(src, "x");
    String md5 = Md5.ofFile(src);
    Path root = tmp.resolve("store");
    Files.createDirectories(root);
    LocalDirectoryStore store = new LocalDirectoryStore(root);
    for (String bad :
        new String[] {
          "a/b",
          "/../x",
          "/a/../../x",
          "/a//b",
          "/a/./b",
          "/",
          "/a\\..\\b",
          "/a/" + LocalDirectoryStore.TEMP_PREFIX + "x",
          "/a/\0b"
        }) {
      assertThatThrownBy(() -> store.put(src, bad, md5))
          .as(bad)
          .isInstanceOfSatisfying(
              ObjectStoreException.class, e -> assertThat(e.isTransient()).isFalse());
    }
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.createSymbolicLink(root.resolve("link"), outside);
    assertThatThrownBy(() -> store.put(src, "/link/x.log.gz", md5))
        .isInstanceOf(ObjectStoreException.class)
        .hasMessageContaining("outside");
    assertThatThrownBy(() -> store.put(src, "/link/deeper/dirs/x.log.gz", md5))
        .isInstanceOf(ObjectStoreException.class)
        .hasMessageContaining("outside");
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aMissingLocalFileIsPermanent() {
    LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("store"));
    assertThatThrownBy(() -> store.put(tmp.resolve("nope"), "/a/b", Md5.of(new byte[0])))
        .isInstanceOfSatisfying(
            ObjectStoreException.class, e -> assertThat(e.isTransient()).isFalse());
  }
}
