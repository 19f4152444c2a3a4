package io.vminfo.manta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's operations end to end against the emulator. */
class MantaClientTest {
  @TempDir Path tmp;
  EmulatorFixture fx;
  BlockingMantaClient manta;

  @BeforeEach
  void start() throws Exception {
    fx = new EmulatorFixture(Files.createDirectories(tmp.resolve("manta")));
    manta = fx.manta();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  static String md5(byte[] b) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(b));
  }

  @Test
  void putsAFileWithContentMd5AndReadsItBack() throws Exception {
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);
    Path file = tmp.resolve("up.bin");
    Files.write(file, data);
    manta.mkdirp("/alice/stor/a/b/c");

    MantaPutResult r =
        manta.put(
            "/alice/stor/a/b/c/up.bin",
            file,
            PutOptions.defaults()
                .withComputedContentMd5()
                .withDurabilityLevel(3)
                .withContentType("application/x-test")
                .withMetadata(Map.of("m-host", "cn01")));

    assertThat(r.computedMd5()).isEqualTo(md5(data));
    assertThat(r.size()).isEqualTo(data.length);
    assertThat(r.etag()).isNotEmpty();
    assertThat(r.requestId()).isNotEmpty();
    assertThat(r.lastModified()).isPresent();
    assertThat(fx.emulator.fileOf("/alice/stor/a/b/c/up.bin"))
        .hasValueSatisfying(p -> assertThat(p).hasBinaryContent(data));

    MantaObjectInfo info = manta.head("/alice/stor/a/b/c/up.bin");
    assertThat(info.directory()).isFalse();
    assertThat(info.size()).isEqualTo(data.length);
    assertThat(info.contentMd5()).hasValue(md5(data));
    assertThat(info.contentType()).isEqualTo("application/x-test");
    assertThat(info.durability()).hasValue(3);
    assertThat(info.metadata()).containsEntry("m-host", "cn01");
    assertThat(info.etag()).hasValue(r.etag());

    assertThat(manta.getBytes("/alice/stor/a/b/c/up.bin")).isEqualTo(data);
    Path down = tmp.resolve("down.bin");
    manta.getToFile("~~/stor/a/b/c/up.bin", down);
    assertThat(down).hasBinaryContent(data);
    try (MantaObjectStream in =
        manta.getStream("/alice/stor/a/b/c/up.bin", GetOptions.defaults())) {
      assertThat(in.info().size()).isEqualTo(data.length);
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(manta.getBytes("/alice/stor/a/b/c/up.bin".replace("up", "up"))).hasSize(data.length);
  }

  @Test
  void rangesAndEmptyObjects() throws Exception {
    manta.put("/alice/stor/r.txt", "0123456789".getBytes(StandardCharsets.US_ASCII));
    assertThat(
            new String(
                fx.client.getBytes("/alice/stor/r.txt", GetOptions.range(2, 4), 100).join(),
                StandardCharsets.US_ASCII))
        .isEqualTo("234");
    assertThat(
            new String(
                fx.client.getBytes("/alice/stor/r.txt", GetOptions.from(7), 100).join(),
                StandardCharsets.US_ASCII))
        .isEqualTo("789");
    assertThatThrownBy(
            () -> manta.getToFile("/alice/stor/r.txt", tmp.resolve("x"), GetOptions.from(50)))
        .isInstanceOf(MantaException.class)
        .hasFieldOrPropertyWithValue("status", 416);

    MantaPutResult empty = manta.put("/alice/stor/empty", new byte[0]);
    assertThat(empty.computedMd5()).isEqualTo("1B2M2Y8AsgTpgAmY7PhCfg==");
    assertThat(manta.getBytes("/alice/stor/empty")).isEmpty();
  }

  @Test
  void streamsOfUnknownLengthGoChunked() throws Exception {
    byte[] data = "chunked body".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    MantaPutResult r =
        fx.client
            .put(
                "/alice/stor/chunked",
                MantaBody.ofStream(new java.io.ByteArrayInputStream(data), -1))
            .join();
    assertThat(r.computedMd5()).isEqualTo(md5(data));
    assertThat(manta.getBytes("/alice/stor/chunked")).isEqualTo(data);
  }

  @Test
  void directorySemanticsAndErrors() {
    MantaException noParent = catchManta(() -> manta.put("/alice/stor/nope/x", new byte[] {1}));
    assertThat(noParent.status()).isEqualTo(404);
    assertThat(noParent.code()).isEqualTo("DirectoryDoesNotExist");
    assertThat(noParent.requestId()).isPresent();
    assertThat(noParent.retryable()).isFalse();

    manta.put("/alice/stor/obj", new byte[] {1});
    assertThat(catchManta(() -> manta.put("/alice/stor/obj/child", new byte[] {1})).code())
        .isEqualTo("ParentNotDirectory");
    manta.putDirectory("/alice/stor/d");
    manta.put("/alice/stor/d/f", new byte[] {1});
    assertThat(catchManta(() -> manta.delete("/alice/stor/d")).code())
        .isEqualTo("DirectoryNotEmpty");
    assertThat(catchManta(() -> manta.put("/alice/stor/d", new byte[] {1})).code())
        .isEqualTo("OperationNotAllowedOnDirectory");
    assertThat(catchManta(() -> manta.delete("/alice/stor")).code())
        .isEqualTo("OperationNotAllowedOnRootDirectory");
    assertThat(catchManta(() -> manta.head("/alice/stor/missing")).isNotFound()).isTrue();
    assertThat(catchManta(() -> manta.getBytes("/alice/stor/missing")).code())
        .isEqualTo("ResourceNotFound");
    assertThat(catchManta(() -> manta.put("/bob/stor/x", new byte[] {1})).status()).isEqualTo(403);

    manta.putDirectory("/alice/stor/d");
    MantaObjectInfo dir = manta.head("/alice/stor/d");
    assertThat(dir.directory()).isTrue();
    assertThat(dir.size()).isEqualTo(1);
    assertThat(fx.emulator.requests()).allMatch(r -> r.status() != 500);
  }

  @Test
  void mkdirpCreatesOnlyMissingAncestorsAndRemembers() {
    manta.mkdirp("/alice/stor/x");
    long before = fx.emulator.requestCount();
    manta.mkdirp("/alice/stor/x/y/z");
    // PUT z fails (no y), PUT y succeeds (x exists), PUT z succeeds; x is never touched
    assertThat(fx.emulator.requestCount() - before).isEqualTo(3);
    long again = fx.emulator.requestCount();
    manta.mkdirp("/alice/stor/x/y/z");
    manta.mkdirp("/alice/stor/x/y");
    assertThat(fx.emulator.requestCount()).isEqualTo(again);
    assertThat(manta.head("/alice/stor/x/y/z").directory()).isTrue();
  }

  @Test
  void putWithMkdirsRecoversFromAStaleDirectoryCache() {
    manta.mkdirp("/alice/stor/p/q");
    manta.deleteRecursive("/alice/stor/p");
    // the client forgot p and q when deleting; a second client deleting them would not tell it:
    fx.client
        .blocking()
        .put(
            "/alice/stor/p/q/file",
            MantaBody.ofBytes(new byte[] {7}),
            PutOptions.defaults().withMkdirs());
    assertThat(manta.getBytes("/alice/stor/p/q/file")).containsExactly(7);
  }

  @Test
  void listsLazilyOverPagesWithInclusiveMarkers() {
    manta.mkdirp("/alice/stor/many");
    for (int i = 0; i < 250; i++) {
      manta.put(String.format("/alice/stor/many/f%04d", i), new byte[] {(byte) i});
    }
    manta.putDirectory("/alice/stor/many/sub");
    List<String> names =
        fx.client
            .list("/alice/stor/many", ListOptions.defaults().withLimit(100))
            .map(MantaEntry::name)
            .collect(Collectors.toList());
    assertThat(names).hasSize(251).doesNotHaveDuplicates().isSorted();
    assertThat(names.get(250)).isEqualTo("sub");
    assertThat(manta.listAll("/alice/stor/many")).hasSize(251);

    MantaListPage page =
        manta.listPage("/alice/stor/many", ListOptions.defaults().withLimit(3).withMarker("f0010"));
    assertThat(page.resultSetSize()).isEqualTo(251);
    assertThat(page.entries())
        .extracting(MantaEntry::name)
        .containsExactly("f0010", "f0011", "f0012");
    MantaEntry e = page.entries().get(0);
    assertThat(e.directory()).isFalse();
    assertThat(e.size()).isEqualTo(1);
    assertThat(e.etag()).isPresent();
    assertThat(e.durability()).hasValue(2);

    List<String> byTime =
        fx.client
            .list("/alice/stor/many", ListOptions.defaults().withLimit(50).sortedByMtime())
            .map(MantaEntry::name)
            .collect(Collectors.toList());
    assertThat(byTime).hasSize(251).doesNotHaveDuplicates();

    assertThat(
            catchManta(
                    () ->
                        fx.client
                            .blocking()
                            .listPage("/alice/stor/many/f0001", ListOptions.defaults()))
                .code())
        .isEqualTo("NotADirectory");
  }

  @Test
  void listingByMtimeGetsPastAPageOfEntriesWithOneMtime() throws Exception {
    // A frozen emulator clock gives every object the same mtime: an inclusive mtime marker
    // cannot advance with pages of 10, so the client widens the page instead of stopping.
    java.time.Clock frozen =
        java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC);
    try (EmulatorFixture same =
        new EmulatorFixture(
            tmp.resolve("same-mtime"), e -> e.clock(frozen), "ed25519_openssh", b -> b)) {
      BlockingMantaClient m = same.manta();
      m.mkdirp("/alice/stor/same");
      for (int i = 0; i < 30; i++) {
        m.put(String.format("/alice/stor/same/f%02d", i), new byte[] {(byte) i});
      }
      ListOptions byTime = ListOptions.defaults().withLimit(10).sortedByMtime();
      List<String> lazily =
          same.client
              .list("/alice/stor/same", byTime)
              .map(MantaEntry::name)
              .collect(Collectors.toList());
      assertThat(lazily).hasSize(30).doesNotHaveDuplicates();
      assertThat(
              same.client
                  .listAll("/alice/stor/same")
                  .get(10, java.util.concurrent.TimeUnit.SECONDS))
          .hasSize(30);
    }
  }

  @Test
  void recursiveDeleteAndSnaplinks() {
    manta.mkdirp("/alice/stor/tree/a/b");
    manta.put("/alice/stor/tree/a/b/1", new byte[] {1});
    manta.put("/alice/stor/tree/a/2", new byte[] {2});
    manta.put("/alice/stor/tree/3", new byte[] {3});
    manta.putSnapLink("/alice/stor/link", "/alice/stor/tree/3");
    manta.deleteRecursive("/alice/stor/tree");
    assertThat(catchManta(() -> manta.head("/alice/stor/tree")).isNotFound()).isTrue();
    assertThat(manta.getBytes("/alice/stor/link")).containsExactly(3);
    manta.deleteRecursive("/alice/stor/tree"); // already gone: fine
    assertThatThrownBy(() -> manta.deleteRecursive("/alice/stor"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesWithSpacesUnicodeAndPercentRoundTrip() {
    manta.mkdirp("/alice/stor/dir with space");
    String[] names = {"a b", "ü–ñ 日本", "100%", "plus+sign", "semi;colon&amp", "q?x#y"};
    for (String n : names) {
      manta.put("/alice/stor/dir with space/" + n, n.getBytes(StandardCharsets.UTF_8));
    }
    for (String n : names) {
      assertThat(
              new String(manta.getBytes("/alice/stor/dir with space/" + n), StandardCharsets.UTF_8))
          .isEqualTo(n);
    }
    assertThat(manta.listAll("/alice/stor/dir with space"))
        .extracting(MantaEntry::name)
        .containsExactlyInAnyOrder(names);
  }

  @Test
  void hostilePathsAreRefusedBeforeAnyRequest() {
    long before = fx.emulator.requestCount();
    for (String bad :
        new String[] {
          "/alice/stor/../bob/stor", "/alice/stor/./x", "relative/path", "", "/a/\0b"
        }) {
      assertThatThrownBy(() -> manta.head(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(fx.emulator.requestCount()).isEqualTo(before);
  }

  @Test
  void ifMatchAndRolesAreSent() {
    MantaPutResult r = manta.put("/alice/stor/cas", new byte[] {1});
    manta.put(
        "/alice/stor/cas",
        MantaBody.ofBytes(new byte[] {2}),
        PutOptions.defaults().withIfMatch(r.etag()));
    assertThat(
            catchManta(
                    () ->
                        manta.put(
                            "/alice/stor/cas",
                            MantaBody.ofBytes(new byte[] {3}),
                            PutOptions.defaults().withIfMatch(r.etag())))
                .code())
        .isEqualTo("PreconditionFailed");
    assertThat(manta.getBytes("/alice/stor/cas")).containsExactly(2);
  }

  @Test
  void largeStreamReadKeepsFlowingWithBackPressure() throws Exception {
    byte[] data = new byte[8 * 1024 * 1024];
    new Random(3).nextBytes(data);
    manta.put("/alice/stor/big", data);
    try (MantaObjectStream in = manta.getStream("/alice/stor/big", GetOptions.defaults())) {
      MessageDigest md = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[7000];
      int n;
      long total = 0;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        total += n;
      }
      assertThat(total).isEqualTo(data.length);
      assertThat(Base64.getEncoder().encodeToString(md.digest())).isEqualTo(md5(data));
    }
    // closing a stream early aborts the transfer and leaves the client usable
    InputStream early = manta.getStream("/alice/stor/big", GetOptions.defaults());
    assertThat(early.read(new byte[10])).isEqualTo(10);
    early.close();
    assertThat(manta.getBytes("/alice/stor/r1".replace("r1", "big"))).hasSize(data.length);
  }

  static MantaException catchManta(Runnable r) {
    try {
      r.run();
    } catch (MantaException e) {
      return e;
    }
    throw new AssertionError("expected a MantaException");
  }
}
