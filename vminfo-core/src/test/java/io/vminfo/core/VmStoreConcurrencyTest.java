package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.testing.TestVms;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many writers and many subscribers at once, some joining late and some disconnecting and resuming:
 * every subscriber sees a gap-free ordered stream whose replay equals the final store.
 */
class VmStoreConcurrencyTest {
  private static final int WRITERS = 4;
  private static final int OPS_PER_WRITER = 2500;
  private static final int SUBSCRIBERS = 12;
  private static final int POOL = 150;
  private static final java.util.concurrent.atomic.AtomicInteger totalCutOffs =
      new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void everySubscriberReconstructsTheStoreExactly() throws Exception {
    // Small buffers: readers that fall behind are cut off and must resume from the history.
    VmStore store =
        VmStore.builder().subscriberBuffer(64, 1L << 20).history(20_000, 1L << 30).build();
    ExecutorService threads = Executors.newCachedThreadPool();
    CountDownLatch go = new CountDownLatch(1);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        long seed = w;
        writers.add(
            threads.submit(
                () -> {
                  Random r = new Random(seed);
                  go.await();
                  for (int i = 0; i < OPS_PER_WRITER; i++) {
                    int n = r.nextInt(POOL);
                    if (r.nextInt(5) == 0) {
                      store.remove(TestVms.uuid(n));
                    } else {
                      int k = r.nextInt(4);
                      store.put(
                          TestVms.vm(n).with(o -> o.put("alias", "a" + k).put("cpu_cap", k * 100)));
                    }
                  }
                  return null;
                }));
      }
      List<Future<Map<String, Vm>>> readers = new ArrayList<>();
      for (int s = 0; s < SUBSCRIBERS; s++) {
        int id = s;
        readers.add(
            threads.submit(
                () -> {
                  go.await();
                  if (id % 3 == 1) {
                    waitForRevision(store, 300L * id);
                  }
                  return consume(store, id, writers, failures);
                }));
      }
      go.countDown();
      for (Future<?> w : writers) {
        w.get(2, TimeUnit.MINUTES);
      }
      Map<String, Vm> expected = new HashMap<>();
      store.list().forEach(vm -> expected.put(vm.uuid(), vm));
      for (Future<Map<String, Vm>> reader : readers) {
        assertThat(reader.get(2, TimeUnit.MINUTES)).isEqualTo(expected);
      }
      assertThat(failures).isEmpty();
      System.out.println(
          "concurrency test: readers were cut off and resumed " + totalCutOffs.get() + " times");
      assertThat(store.stats().creates() + store.stats().modifies() + store.stats().deletes())
          .isEqualTo(store.revision());
    } finally {
      threads.shutdownNow();
    }
  }

  private static void waitForRevision(VmStore store, long rev) throws InterruptedException {
    Subscription s = store.subscribe(SubscribeRequest.all());
    try {
      while (store.revision() < rev && s.poll(Duration.ofMillis(50)).isPresent()) {
        // drain until the store reaches the revision this subscriber joins at
      }
    } finally {
      s.close();
    }
  }

  private static Map<String, Vm> consume(
      VmStore store, int id, List<Future<?>> writers, ConcurrentLinkedQueue<Throwable> failures)
      throws Exception {
    Random r = new Random(100 + id);
    Subscription sub = store.subscribe(SubscribeRequest.all().describedAs("reader-" + id));
    SubscriptionStart.Snapshot start = (SubscriptionStart.Snapshot) sub.start();
    Map<String, Vm> state = new HashMap<>();
    start.vms().forEach(vm -> state.put(vm.uuid(), vm));
    long last = start.rev();
    int resumes = 0;
    int cutOffs = 0;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      boolean writersDone = writers.stream().allMatch(Future::isDone);
      if (writersDone && last == store.revision()) {
        break;
      }
      if (sub.state() == Subscription.State.CUT_OFF) {
        sub = store.subscribe(SubscribeRequest.all().resumingAfter(last, store.epoch()));
        assertThat(sub.start()).isEqualTo(new SubscriptionStart.Resumed(last));
        cutOffs++;
      }
      if (id % 2 == 0 && resumes < 5 && r.nextInt(500) == 0) {
        // Disconnect and resume from the last revision seen.
        sub.close();
        sub = store.subscribe(SubscribeRequest.all().resumingAfter(last, store.epoch()));
        assertThat(sub.start()).isEqualTo(new SubscriptionStart.Resumed(last));
        resumes++;
      }
      // Short polls so the end of the writers is noticed promptly; the deadline catches a stall.
      if (id % 4 == 3 && r.nextInt(200) == 0) {
        Thread.onSpinWait();
        // A slow reader: pauses (bounded) while writers run on, to get cut off for real.
        long pauseUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        while (System.nanoTime() < pauseUntil && !writers.stream().allMatch(Future::isDone)) {
          Thread.onSpinWait();
        }
      }
      VmEvent e = sub.poll(Duration.ofMillis(20)).orElse(null);
      if (e == null) {
        if (System.nanoTime() > deadline) {
          failures.add(new AssertionError("reader " + id + " starved at rev " + last));
          break;
        }
        continue;
      }
      if (e.rev() != last + 1) {
        failures.add(new AssertionError("reader " + id + " gap: " + last + " -> " + e.rev()));
      }
      last = e.rev();
      switch (e.type()) {
        case CREATE, MODIFY -> state.put(e.uuid(), e.vm().orElseThrow());
        case DELETE -> state.remove(e.uuid());
      }
    }
    sub.close();
    totalCutOffs.addAndGet(cutOffs);
    // Modify events are only sent for non-empty diffs, so compare under diff semantics.
    Map<String, Vm> canonical = new HashMap<>();
    for (Map.Entry<String, Vm> entry : state.entrySet()) {
      Vm current = store.get(entry.getKey()).orElse(entry.getValue());
      canonical.put(
          entry.getKey(),
          JsonDiff.diff(entry.getValue(), current).isEmpty() ? current : entry.getValue());
    }
    return canonical;
  }
}
