package io.vminfo.sysevent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.FileWatchers;
import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InotifyWatcherTest extends FileWatcherContract {
  @BeforeAll
  static void linuxOnly() {
    assumeTrue(
        FileWatchers.inotifyAvailable(), "SKIPPED inotify tests: not Linux or libc not loadable");
  }

  @Override
  FileWatcher create(WatchListener listener) throws IOException {
    return FileWatchers.builder(listener)
        .implementation(FileWatchers.Implementation.INOTIFY)
        .retryDelays(Duration.ofMillis(20), Duration.ofMillis(500))
        .threadName("vminfo-watch-contract")
        .build();
  }

  @Test
  void autoPicksInotifyOnLinux() throws Exception {
    try (FileWatcher w = FileWatchers.create(new RecordingListener())) {
      assertThat(w.implementation()).isEqualTo("inotify");
      assertThat(w.supportedKinds())
          .contains(WatchEvent.Kind.CLOSE_WRITE, WatchEvent.Kind.MOVED_TO);
    }
  }

  @Test
  void aRenameCarriesOneCookieOnBothHalvesAndNoCloseWriteOfTheTarget() throws Exception {
    watcher = create(listener);
    watcher.watch(tmp);
    Files.writeString(tmp.resolve("dom.xml.new"), "<domain/>");
    Files.move(tmp.resolve("dom.xml.new"), tmp.resolve("dom.xml"), StandardCopyOption.ATOMIC_MOVE);
    await().atMost(WAIT).until(() -> listener.has(WatchEvent.Kind.MOVED_TO, "dom.xml"));

    WatchEvent from = listener.matching(e -> e.kind() == WatchEvent.Kind.MOVED_FROM).get(0);
    WatchEvent to = listener.matching(e -> e.kind() == WatchEvent.Kind.MOVED_TO).get(0);
    assertThat(from.name()).isEqualTo("dom.xml.new");
    assertThat(from.cookie()).isNotZero().isEqualTo(to.cookie());
    List<WatchEvent.Kind> onTarget =
        listener.matching(e -> e.name().equals("dom.xml")).stream().map(WatchEvent::kind).toList();
    assertThat(onTarget).containsExactly(WatchEvent.Kind.MOVED_TO);
  }

  @Test
  void marksDirectoryEntries() throws Exception {
    watcher = create(listener);
    watcher.watch(tmp);
    Files.createDirectory(tmp.resolve("sub"));
    await().atMost(WAIT).until(() -> listener.has(WatchEvent.Kind.CREATED, "sub"));
    assertThat(listener.matching(e -> e.name().equals("sub")).get(0).isDirectory()).isTrue();
  }
}
