package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.testing.FakeVmSource;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import io.vminfo.core.testing.TestVms;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VmInfoServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final FakeVmSource source = new FakeVmSource();
  private final VmStore store = VmStore.builder().clock(clock).build();
  private final List<String> observed = new CopyOnWriteArrayList<>();
  private final VmInfoService service =
      VmInfoService.builder(source, store)
          .clock(clock)
          .executors(scheduler, workers)
          .taskTimeout(Duration.ofSeconds(10))
          .reconcileInterval(Duration.ofMinutes(5))
          .observer((key, took, outcome) -> observed.add(key + "=" + outcome))
          .build();

  @AfterEach
  void tearDown() {
    service.close();
    workers.shutdownNow();
  }

  @Test
  void initialLoadFillsTheStoreWithoutEvents() throws Exception {
    source.put(TestVms.vm(1));
    source.put(TestVms.vm(2));
    service.start();
    assertThat(store.isReady()).isTrue();
    assertThat(store.list()).hasSize(2);
    assertThat(store.revision()).isZero();
    ServiceStatus status = service.status();
    assertThat(status.ready()).isTrue();
    assertThat(status.backend()).isEqualTo("fake");
    assertThat(status.lastRefresh()).contains(clock.instant());
    assertThat(status.refreshes()).isEqualTo(1);
  }

  @Test
  void changesDuringTheInitialLoadAreAppliedAfterIt() throws Exception {
    source.put(TestVms.vm(1));
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.onLoad(
        () -> {
          loading.countDown();
          release.await(30, TimeUnit.SECONDS);
        });
    Thread starter =
        new Thread(
            () -> {
              try {
                service.start();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "test-start");
    starter.start();
    assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();
    source.put(TestVms.vm(1).with(o -> o.put("alias", "during-load")));
    source.changed(TestVms.uuid(1));
    assertThat(service.status().queueDepth()).isEqualTo(1);
    release.countDown();
    starter.join(30_000);
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(store.get(TestVms.uuid(1)).flatMap(Vm::alias)).contains("during-load");
    assertThat(store.revision()).isEqualTo(1);
  }

  @Test
  void identicalPendingReloadsCoalesce() throws Exception {
    service.start();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    source.submit(blocking("blocker", release));
    for (int i = 0; i < 5; i++) {
      source.submit(counting("same", runs));
    }
    ServiceStatus status = service.status();
    assertThat(status.running()).map(ServiceStatus.RunningTask::key).contains("blocker");
    assertThat(status.pending()).containsExactly("same");
    assertThat(status.tasksCoalesced()).isEqualTo(4);
    release.countDown();
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void aHungTaskIsAbandonedAndItsLateResultIgnored() throws Exception {
    service.start();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.submit(
        new Reload() {
          @Override
          public String key() {
            return "hangs";
          }

          @Override
          public ReloadResult run(VmLookup current) {
            entered.countDown();
            // Ignores interrupts, like a read stuck in the kernel, then returns late.
            while (true) {
              try {
                if (release.await(30, TimeUnit.SECONDS)) {
                  break;
                }
              } catch (InterruptedException e) {
                // keep hanging
              }
            }
            return ReloadResult.builder().upsert(TestVms.vm(66)).build();
          }
        });
    AtomicInteger runs = new AtomicInteger();
    source.submit(counting("next", runs));
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(runs.get()).as("the queue moved on").isEqualTo(1);
    ServiceStatus status = service.status();
    assertThat(status.tasksAbandoned()).isEqualTo(1);
    assertThat(status.recentFailures())
        .singleElement()
        .satisfies(f -> assertThat(f.abandoned()).isTrue())
        .satisfies(f -> assertThat(f.key()).isEqualTo("hangs"));
    release.countDown();
    source.submit(counting("after-late-result", runs));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(store.get(TestVms.uuid(66))).as("late result ignored").isEmpty();
    assertThat(observed).contains("hangs=ABANDONED", "next=APPLIED");
  }

  @Test
  void periodicReconciliationCorrectsMissedChanges() throws Exception {
    source.put(TestVms.vm(1));
    source.put(TestVms.vm(2));
    service.start();
    Subscription sub = store.subscribe(SubscribeRequest.all());
    source.delete(TestVms.uuid(1));
    source.put(TestVms.vm(2).with(o -> o.put("state", "stopped")));
    source.put(TestVms.vm(3));
    scheduler.advance(Duration.ofMinutes(4));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(store.revision()).as("not yet").isZero();
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(sub.drain(10))
        .extracting(VmEvent::type)
        .containsExactly(VmEventType.DELETE, VmEventType.MODIFY, VmEventType.CREATE);
    assertThat(service.status().refreshes()).isEqualTo(2);
  }

  @Test
  void overflowTriggersAnImmediateReconciliation() throws Exception {
    service.start();
    source.put(TestVms.vm(5));
    source.overflow();
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(store.get(TestVms.uuid(5))).isPresent();
    assertThat(source.loads()).isEqualTo(2);
  }

  @Test
  void aFailingReloadIsRecordedAndHarmsNothingElse() throws Exception {
    source.put(TestVms.vm(1));
    service.start();
    source.submit(
        new Reload() {
          @Override
          public String key() {
            return "broken";
          }

          @Override
          public ReloadResult run(VmLookup current) {
            throw new IllegalStateException("garbage in zone XML");
          }
        });
    source.put(TestVms.vm(2));
    source.changed(TestVms.uuid(2));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    ServiceStatus status = service.status();
    assertThat(status.tasksFailed()).isEqualTo(1);
    assertThat(status.recentFailures())
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("garbage in zone XML"));
    assertThat(store.list()).hasSize(2);
  }

  @Test
  void aVmThatFailsToLoadKeepsItsLastGoodStateAndShowsTheError() throws Exception {
    Vm vm2 = TestVms.vm(2).with(o -> o.put("zonename", "zone2"));
    source.put(TestVms.vm(1));
    source.put(vm2);
    service.start();
    source.delete(vm2.uuid());
    source.addError(
        new VmLoadError(
            "zone2",
            Optional.empty(),
            Optional.of("zone2"),
            "zone2.xml: unexpected end of file",
            clock.instant()));
    source.overflow();
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(store.get(vm2.uuid())).contains(vm2);
    assertThat(service.status().vmErrors()).extracting(VmLoadError::key).containsExactly("zone2");
    source.clearErrors();
    source.put(vm2);
    source.overflow();
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(service.status().vmErrors()).isEmpty();
    assertThat(store.revision()).isZero();
  }

  @Test
  void partialReloadErrorsAreShownUntilCleared() throws Exception {
    service.start();
    source.submit(
        reload(
            "x",
            ReloadResult.builder()
                .error(VmLoadError.of("zoneX", "bad metadata.json", clock.instant()))
                .build()));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(service.status().vmErrors()).extracting(VmLoadError::key).containsExactly("zoneX");
    source.submit(reload("y", ReloadResult.builder().clearError("zoneX").build()));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(service.status().vmErrors()).isEmpty();
  }

  @Test
  void closeStopsTheSourceAndIgnoresLaterWork() throws Exception {
    service.start();
    service.close();
    assertThat(source.isClosed()).isTrue();
    AtomicInteger runs = new AtomicInteger();
    service.submit(counting("late", runs));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(runs.get()).isZero();
  }

  @Test
  void aFailedInitialLoadIsServedEmptyAndTriedAgainUntilItSucceeds() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(2);
    source.onLoad(
        () -> {
          if (failuresLeft.getAndDecrement() > 0) {
            throw new java.io.IOException("cannot read /etc/zones/index");
          }
        });
    source.put(TestVms.vm(1));
    service.start();
    assertThat(store.isReady()).as("served although the load failed").isTrue();
    assertThat(store.list()).isEmpty();
    ServiceStatus.InitialLoad failed = service.status().initialLoad();
    assertThat(failed.state()).isEqualTo(ServiceStatus.InitialLoad.State.FAILED);
    assertThat(failed.lastError())
        .hasValueSatisfying(e -> assertThat(e).contains("/etc/zones/index"));
    assertThat(failed.nextAttempt()).contains(clock.instant().plusSeconds(15));
    assertThat(service.initialLoadComplete()).isNotDone();
    Subscription sub = store.subscribe(SubscribeRequest.all());

    scheduler.advance(Duration.ofSeconds(15));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(service.status().initialLoad().state())
        .as("the second attempt failed too")
        .isEqualTo(ServiceStatus.InitialLoad.State.FAILED);
    assertThat(service.status().initialLoad().attempts()).isEqualTo(2);

    scheduler.advance(Duration.ofSeconds(15));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    ServiceStatus.InitialLoad done = service.status().initialLoad();
    assertThat(done.state()).isEqualTo(ServiceStatus.InitialLoad.State.COMPLETE);
    assertThat(done.attempts()).isEqualTo(3);
    assertThat(done.completedAt()).contains(clock.instant());
    assertThat(service.initialLoadComplete()).isDone();
    assertThat(sub.drain(10)).extracting(VmEvent::type).containsExactly(VmEventType.CREATE);
    assertThat(store.get(TestVms.uuid(1))).isPresent();
    scheduler.advance(Duration.ofSeconds(15));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(source.loads()).as("no retry once complete").isEqualTo(3);
  }

  @Test
  void aSlowInitialLoadIsServedAfterTheWaitAndWhatItFindsArrivesAsCreates() throws Exception {
    source.put(TestVms.vm(1));
    source.put(TestVms.vm(2));
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.onLoad(
        () -> {
          loading.countDown();
          release.await(30, TimeUnit.SECONDS);
        });
    Thread starter = startInBackground();
    assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(store.isReady()).as("waiting for the load").isFalse();
    scheduler.advance(Duration.ofSeconds(10));
    starter.join(30_000);
    assertThat(starter.isAlive()).as("start returned after the wait").isFalse();
    assertThat(store.isReady()).isTrue();
    assertThat(store.list()).isEmpty();
    assertThat(service.status().initialLoad().state())
        .isEqualTo(ServiceStatus.InitialLoad.State.LOADING);
    assertThat(service.status().running())
        .map(ServiceStatus.RunningTask::key)
        .contains("initial-load");
    Subscription sub = store.subscribe(SubscribeRequest.all());
    source.put(TestVms.vm(2).with(o -> o.put("alias", "changed-while-loading")));
    source.changed(TestVms.uuid(2));
    assertThat(service.status().pending())
        .as("behind the load")
        .containsExactly("fake:" + TestVms.uuid(2));

    release.countDown();
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(sub.drain(10))
        .extracting(VmEvent::type)
        .containsExactly(VmEventType.CREATE, VmEventType.CREATE, VmEventType.MODIFY);
    assertThat(store.get(TestVms.uuid(2)).flatMap(Vm::alias)).contains("changed-while-loading");
    assertThat(service.status().initialLoad().state())
        .isEqualTo(ServiceStatus.InitialLoad.State.COMPLETE);
    assertThat(service.initialLoadComplete()).isDone();
  }

  @Test
  void aHungInitialLoadIsAbandonedAfterItsTimeoutAndTriedAgain() throws Exception {
    source.put(TestVms.vm(1));
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.onLoad(
        () -> {
          stuck.countDown();
          // Ignores interrupts, like an open(2) of a FIFO: only the test frees it.
          while (true) {
            try {
              if (release.await(30, TimeUnit.SECONDS)) {
                break;
              }
            } catch (InterruptedException e) {
              // keep hanging
            }
          }
        });
    Thread starter = startInBackground();
    assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
    scheduler.advance(Duration.ofSeconds(10));
    starter.join(30_000);
    assertThat(starter.isAlive()).isFalse();
    source.onLoad(() -> {});
    scheduler.advance(Duration.ofMinutes(5));
    ServiceStatus.InitialLoad abandoned = service.status().initialLoad();
    assertThat(abandoned.state()).isEqualTo(ServiceStatus.InitialLoad.State.FAILED);
    assertThat(abandoned.lastError()).contains("abandoned after 300000 ms");
    assertThat(service.status().tasksAbandoned()).isEqualTo(1);

    scheduler.advance(Duration.ofSeconds(15));
    assertThat(service.awaitIdle(WAIT)).isTrue();
    assertThat(service.status().initialLoad().state())
        .isEqualTo(ServiceStatus.InitialLoad.State.COMPLETE);
    assertThat(store.get(TestVms.uuid(1))).isPresent();
    release.countDown();
  }

  @Test
  void aFastInitialLoadCompletesBeforeStartReturns() throws Exception {
    source.put(TestVms.vm(1));
    service.start();
    ServiceStatus.InitialLoad load = service.status().initialLoad();
    assertThat(load.state()).isEqualTo(ServiceStatus.InitialLoad.State.COMPLETE);
    assertThat(load.attempts()).isEqualTo(1);
    assertThat(service.initialLoadComplete()).isDone();
    assertThat(scheduler.pendingCount()).as("only the periodic reconciliation").isEqualTo(1);
  }

  private Thread startInBackground() {
    Thread starter =
        new Thread(
            () -> {
              try {
                service.start();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "test-start");
    starter.start();
    return starter;
  }

  private static Reload blocking(String key, CountDownLatch release) {
    return reload(
        key,
        () -> {
          release.await(30, TimeUnit.SECONDS);
          return ReloadResult.nothing();
        });
  }

  private static Reload counting(String key, AtomicInteger runs) {
    return reload(
        key,
        () -> {
          runs.incrementAndGet();
          return ReloadResult.nothing();
        });
  }

  private static Reload reload(String key, ReloadResult result) {
    return reload(key, () -> result);
  }

  private static Reload reload(String key, java.util.concurrent.Callable<ReloadResult> body) {
    return new Reload() {
      @Override
      public String key() {
        return key;
      }

      @Override
      public ReloadResult run(VmLookup current) throws Exception {
        return body.call();
      }
    };
  }
}
