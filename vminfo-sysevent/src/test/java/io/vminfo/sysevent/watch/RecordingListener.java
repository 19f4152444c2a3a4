package io.vminfo.sysevent.watch;

import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Records what a watcher reports; can hold the watcher thread on its first event (a paused reader).
 */
public final class RecordingListener implements WatchListener {
  public final ConcurrentLinkedQueue<WatchEvent> events = new ConcurrentLinkedQueue<>();
  public final ConcurrentLinkedQueue<Path> established = new ConcurrentLinkedQueue<>();
  public final AtomicInteger overflows = new AtomicInteger();
  private volatile CountDownLatch gate;
  private final CountDownLatch held = new CountDownLatch(1);

  /** The next event blocks the watcher thread until {@link #release()}. */
  public void pauseOnNextEvent() {
    gate = new CountDownLatch(1);
  }

  /** Waits until the watcher thread is held by {@link #pauseOnNextEvent()}. */
  public boolean awaitHeld(long seconds) throws InterruptedException {
    return held.await(seconds, TimeUnit.SECONDS);
  }

  public void release() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  @Override
  public void onEvent(WatchEvent event) {
    events.add(event);
    CountDownLatch g = gate;
    if (g != null) {
      held.countDown();
      try {
        g.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void onOverflow() {
    overflows.incrementAndGet();
  }

  @Override
  public void onWatchEstablished(Path directory) {
    established.add(directory);
  }

  public List<WatchEvent> matching(Predicate<WatchEvent> p) {
    return events.stream().filter(p).toList();
  }

  public boolean has(WatchEvent.Kind kind, String name) {
    return events.stream().anyMatch(e -> e.kind() == kind && e.name().equals(name));
  }

  public boolean hasContentChange(String name) {
    return events.stream().anyMatch(e -> e.isContentChange() && e.name().equals(name));
  }
}
