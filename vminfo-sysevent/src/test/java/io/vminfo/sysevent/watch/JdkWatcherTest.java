package io.vminfo.sysevent.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.sysevent.FileWatcher;
import io.vminfo.sysevent.FileWatchers;
import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JdkWatcherTest extends FileWatcherContract {
  @Override
  FileWatcher create(WatchListener listener) throws IOException {
    return FileWatchers.builder(listener)
        .implementation(FileWatchers.Implementation.JDK)
        .retryDelays(Duration.ofMillis(20), Duration.ofMillis(500))
        .threadName("vminfo-watch-contract")
        .build();
  }

  @Test
  void hasNoCloseWriteOrCookies() throws Exception {
    try (FileWatcher w = create(new RecordingListener())) {
      assertThat(w.implementation()).isEqualTo("jdk-watchservice");
      assertThat(w.supportedKinds())
          .doesNotContain(
              WatchEvent.Kind.CLOSE_WRITE, WatchEvent.Kind.MOVED_TO, WatchEvent.Kind.MOVED_FROM);
    }
  }
}
