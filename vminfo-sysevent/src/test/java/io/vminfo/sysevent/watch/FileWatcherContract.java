package io.vminfo.sysevent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour both watcher implementations share, on real directories. */
abstract class FileWatcherContract {
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path tmp;
  final RecordingListener listener = new RecordingListener();
  FileWatcher watcher;

  abstract FileWatcher create(WatchListener listener) throws IOException;

  @AfterEach
  void closeWatcher() {
    listener.release();
    if (watcher != null) {
      watcher.close();
    }
  }

  @Test
  void reportsWritesRenamesAndDeletes() throws Exception {
    watcher = create(listener);
    watcher.watch(tmp);
    assertThat(watcher.isWatching(tmp)).isTrue();

    Files.writeString(tmp.resolve("a.txt"), "hello");
    await().atMost(WAIT).until(() -> listener.hasContentChange("a.txt"));

    Files.writeString(tmp.resolve("b.xml.new"), "<x/>");
    Files.move(tmp.resolve("b.xml.new"), tmp.resolve("b.xml"), StandardCopyOption.ATOMIC_MOVE);
    await().atMost(WAIT).until(() -> listener.hasContentChange("b.xml"));

    Files.delete(tmp.resolve("a.txt"));
    await().atMost(WAIT).until(() -> listener.has(WatchEvent.Kind.DELETED, "a.txt"));
    assertThat(listener.events).allSatisfy(e -> assertThat(e.directory()).isEqualTo(tmp));
  }

  @Test
  void retriesADirectoryThatDoesNotExistYet() throws Exception {
    watcher = create(listener);
    Path later = tmp.resolve("run/libvirt/qemu");
    watcher.watch(later);
    assertThat(watcher.isWatching(later)).isFalse();
    assertThat(watcher.pendingDirectories()).containsExactly(later);

    Files.createDirectories(later);
    await().atMost(WAIT).until(() -> watcher.isWatching(later));
    await().atMost(WAIT).until(() -> listener.established.contains(later));

    Files.writeString(later.resolve("dom.xml"), "<domain/>");
    await().atMost(WAIT).until(() -> listener.hasContentChange("dom.xml"));
  }

  @Test
  void aDeletedDirectoryIsWatchedAgainWhenItComesBack() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("zones/z1/config"));
    watcher = create(listener);
    watcher.watch(dir);
    deleteTree(tmp.resolve("zones/z1"));
    await().atMost(WAIT).until(() -> listener.has(WatchEvent.Kind.DELETE_SELF, ""));
    await().atMost(WAIT).until(() -> watcher.pendingDirectories().contains(dir));

    Files.createDirectories(dir);
    await().atMost(WAIT).until(() -> listener.established.contains(dir));
    Files.writeString(dir.resolve("tags.json"), "{}");
    await().atMost(WAIT).until(() -> listener.hasContentChange("tags.json"));
  }

  @Test
  void unwatchStopsEventsAndRetries() throws Exception {
    Path a = Files.createDirectory(tmp.resolve("a"));
    Path b = Files.createDirectory(tmp.resolve("b"));
    Path missing = tmp.resolve("missing");
    watcher = create(listener);
    watcher.watch(a);
    watcher.watch(b);
    watcher.watch(missing);
    watcher.unwatch(a);
    watcher.unwatch(missing);
    assertThat(watcher.isWatching(a)).isFalse();
    assertThat(watcher.pendingDirectories()).isEmpty();

    Files.writeString(a.resolve("ignored"), "x");
    Files.createDirectory(missing);
    Files.writeString(missing.resolve("ignored-too"), "x");
    Files.writeString(b.resolve("barrier"), "x");
    await().atMost(WAIT).until(() -> listener.hasContentChange("barrier"));
    assertThat(listener.matching(e -> !e.directory().equals(b))).isEmpty();
    assertThat(listener.established).isEmpty();
  }

  @Test
  void reportsOverflowWhenTheReaderFallsBehind() throws Exception {
    watcher = create(listener);
    watcher.watch(tmp);
    listener.pauseOnNextEvent();
    Files.writeString(tmp.resolve("first"), "x");
    assertThat(listener.awaitHeld(10)).isTrue();

    // More events than /proc/sys/fs/inotify/max_queued_events (16384 here) while the reader waits.
    int pairs = maxQueuedEvents() / 2 + 1000;
    for (int i = 0; i < pairs; i++) {
      Path p = tmp.resolve("f" + i);
      Files.createFile(p);
      Files.delete(p);
    }
    listener.release();
    await().atMost(WAIT).until(() -> listener.overflows.get() > 0);

    // The watcher keeps working after an overflow.
    Files.writeString(tmp.resolve("after"), "x");
    await().atMost(WAIT).until(() -> listener.hasContentChange("after"));
  }

  @Test
  void closeStopsTheThreadAndRefusesNewWatches() throws Exception {
    watcher = create(listener);
    watcher.watch(tmp);
    String name = "vminfo-watch-contract";
    watcher.close();
    watcher.close();
    assertThatThrownBy(() -> watcher.watch(tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
    await()
        .atMost(WAIT)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith(name) && t.isAlive()));
  }

  static int maxQueuedEvents() {
    // Not Files.readString: procfs reports size 0 and the JDK then reads only the first byte.
    try (var in = Files.newBufferedReader(Path.of("/proc/sys/fs/inotify/max_queued_events"))) {
      return Integer.parseInt(in.readLine().trim());
    } catch (IOException | NumberFormatException e) {
      return 16384;
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
