package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vminfo.agent.Job;
import io.vminfo.agent.JobListener;
import io.vminfo.agent.JobState;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.GuestAction;
import io.vminfo.core.GuestActions;
import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobManagerTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T08:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  final VmStore store = VmStore.builder().clock(CLOCK).build();
  final List<String> performed = new CopyOnWriteArrayList<>();
  final List<String> heard = new CopyOnWriteArrayList<>();
  JobManager jobs;

  @AfterEach
  void close() {
    if (jobs != null) {
      jobs.close(Duration.ofSeconds(5));
    }
    store.close();
  }

  /** A backend whose actions "take effect" only when the test puts the VM's new state. */
  class Recording implements GuestActions {
    volatile CountDownLatch gate = new CountDownLatch(0);
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    volatile boolean applies = true;

    @Override
    public Set<GuestAction> supported() {
      return EnumSet.of(GuestAction.START, GuestAction.STOP, GuestAction.REBOOT);
    }

    @Override
    public void perform(Vm vm, GuestAction action, Duration grace, Duration timeout)
        throws IOException, InterruptedException {
      int n = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(n, Math::max);
      try {
        performed.add(vm.uuid() + " " + action.wireName());
        if (!gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException("gate never opened");
        }
        if (action == GuestAction.REBOOT) {
          setState(vm.uuid(), "stopped");
        }
        if (applies) {
          setState(vm.uuid(), action.expectedState());
        }
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  final JobListener listener =
      new JobListener() {
        @Override
        public void jobStarted(Job job) {
          heard.add("started " + job.action().wireName() + " " + job.state().wireName());
        }

        @Override
        public void jobFinished(Job job) {
          heard.add("finished " + job.action().wireName() + " " + job.state().wireName());
        }
      };

  void setState(String uuid, String state) {
    store.put(store.get(uuid).orElseThrow().with(o -> o.put("state", state)));
  }

  JobManager manager(GuestActions actions, int queue, int parallel, Duration timeout)
      throws IOException {
    List<Vm> vms = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      vms.add(TestVms.vm(i, "stopped", "kvm", TestVms.OWNER_A));
    }
    store.initialize(vms);
    jobs =
        new JobManager(
            store,
            actions,
            JobLog.open(dir.resolve("jobs.log"), 100, CLOCK.instant()),
            CLOCK,
            queue,
            parallel,
            Duration.ofSeconds(1),
            timeout,
            listener);
    return jobs;
  }

  Job awaitFinished(String id) {
    return await().atMost(WAIT).until(() -> jobs.job(id).orElseThrow(), j -> j.state().finished());
  }

  @Test
  void aJobIsCompleteOnlyOnceTheStoreShowsTheResult() throws Exception {
    Recording backend = new Recording();
    backend.applies = false;
    manager(backend, 4, 2, WAIT);
    Job j = jobs.submit(TestVms.uuid(1), GuestAction.START, "uid:0");
    assertThat(j.state()).isEqualTo(JobState.QUEUED);
    await().atMost(WAIT).until(() -> performed.size() == 1);
    // the command returned, but the store still says stopped: the job keeps running
    await().atMost(WAIT).until(() -> jobs.job(j.id()).orElseThrow().state() == JobState.RUNNING);
    assertThat(jobs.job(j.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    setState(TestVms.uuid(1), "running");
    Job done = awaitFinished(j.id());
    assertThat(done.state()).isEqualTo(JobState.COMPLETE);
    assertThat(done.vmState()).contains("running");
    assertThat(done.requester()).isEqualTo("uid:0");
    assertThat(done.startedAt()).isPresent();
    assertThat(heard).containsExactly("started start Running", "finished start Complete");
  }

  @Test
  void aJobThatTimesOutIsErrorWithWhatTheVmLooksLike() throws Exception {
    Recording backend = new Recording();
    backend.applies = false;
    manager(backend, 4, 2, Duration.ofMillis(200));
    Job j = jobs.submit(TestVms.uuid(1), GuestAction.START, "uid:0");
    Job done = awaitFinished(j.id());
    assertThat(done.state()).isEqualTo(JobState.ERROR);
    assertThat(done.message().orElseThrow()).contains("timed out").contains("it is stopped");
    assertThat(done.vmState()).contains("stopped");
  }

  @Test
  void aFailingCommandIsErrorWithItsMessage() throws Exception {
    GuestActions failing =
        new GuestActions() {
          @Override
          public Set<GuestAction> supported() {
            return EnumSet.allOf(GuestAction.class);
          }

          @Override
          public void perform(Vm vm, GuestAction a, Duration g, Duration t) throws IOException {
            throw new IOException("virsh start failed (exit 1): domain is already running");
          }
        };
    manager(failing, 4, 2, WAIT);
    Job done = awaitFinished(jobs.submit(TestVms.uuid(2), GuestAction.START, "uid:0").id());
    assertThat(done.state()).isEqualTo(JobState.ERROR);
    assertThat(done.message()).contains("virsh start failed (exit 1): domain is already running");
  }

  @Test
  void oneActionPerVmAtATimeInOrderAndTheQueueIsBounded() throws Exception {
    Recording backend = new Recording();
    backend.gate = new CountDownLatch(1);
    manager(backend, 2, 4, WAIT);
    String vm = TestVms.uuid(1);
    Job a = jobs.submit(vm, GuestAction.START, "uid:0");
    await().atMost(WAIT).until(() -> performed.size() == 1);
    Job b = jobs.submit(vm, GuestAction.STOP, "uid:0");
    Job c = jobs.submit(vm, GuestAction.START, "uid:0");
    assertThatThrownBy(() -> jobs.submit(vm, GuestAction.STOP, "uid:0"))
        .isInstanceOf(JobManager.Rejected.class)
        .matches(e -> ((JobManager.Rejected) e).tooMany())
        .hasMessageContaining("2 actions are already waiting");
    // another VM is not held up by this one's queue
    Job other = jobs.submit(TestVms.uuid(2), GuestAction.START, "uid:0");
    await().atMost(WAIT).until(() -> performed.size() == 2);
    assertThat(jobs.job(b.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    backend.gate.countDown();
    for (Job j : List.of(a, b, c, other)) {
      assertThat(awaitFinished(j.id()).state()).isEqualTo(JobState.COMPLETE);
    }
    assertThat(performed.stream().filter(p -> p.startsWith(vm)).toList())
        .containsExactly(vm + " start", vm + " stop", vm + " start");
    assertThat(backend.maxInFlight.get()).isEqualTo(2);
  }

  @Test
  void actionsOnDifferentVmsRunInParallelUpToTheBound() throws Exception {
    Recording backend = new Recording();
    backend.gate = new CountDownLatch(1);
    manager(backend, 2, 2, WAIT);
    List<Job> all = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      all.add(jobs.submit(TestVms.uuid(i), GuestAction.START, "uid:0"));
    }
    await().atMost(WAIT).until(() -> performed.size() == 2);
    assertThat(backend.inFlight.get()).isEqualTo(2);
    backend.gate.countDown();
    for (Job j : all) {
      assertThat(awaitFinished(j.id()).state()).isEqualTo(JobState.COMPLETE);
    }
    assertThat(backend.maxInFlight.get()).isEqualTo(2);
  }

  @Test
  void aRebootIsCompleteOnlyAfterTheVmWasSeenStopped() throws Exception {
    Recording backend = new Recording();
    manager(backend, 2, 2, WAIT);
    setState(TestVms.uuid(3), "running");
    Job done = awaitFinished(jobs.submit(TestVms.uuid(3), GuestAction.REBOOT, "uid:0").id());
    assertThat(done.state()).isEqualTo(JobState.COMPLETE);

    // a reboot that the store never sees leave running is not complete
    backend.applies = false;
    GuestActions noop =
        new GuestActions() {
          @Override
          public Set<GuestAction> supported() {
            return EnumSet.of(GuestAction.REBOOT);
          }

          @Override
          public void perform(Vm vm, GuestAction a, Duration g, Duration t) {}
        };
    jobs.close(Duration.ofSeconds(5));
    store.close();
    VmStore s2 = VmStore.builder().clock(CLOCK).build();
    s2.initialize(List.of(TestVms.vm(3, "running", "kvm", TestVms.OWNER_A)));
    try (JobManager m =
        new JobManager(
            s2,
            noop,
            JobLog.open(dir.resolve("jobs2.log"), 10, CLOCK.instant()),
            CLOCK,
            2,
            2,
            Duration.ofSeconds(1),
            Duration.ofMillis(200),
            JobListener.NONE)) {
      Job j = m.submit(TestVms.uuid(3), GuestAction.REBOOT, "uid:0");
      Job end =
          await().atMost(WAIT).until(() -> m.job(j.id()).orElseThrow(), x -> x.state().finished());
      assertThat(end.state()).isEqualTo(JobState.ERROR);
    } finally {
      s2.close();
      jobs = null;
    }
  }

  @Test
  void anActionTheBackendCannotDoIsRefused() throws Exception {
    manager(new Recording(), 2, 2, WAIT);
    assertThatThrownBy(() -> jobs.submit(TestVms.uuid(1), GuestAction.SUSPEND, "uid:0"))
        .isInstanceOf(JobManager.Rejected.class)
        .matches(e -> !((JobManager.Rejected) e).tooMany())
        .hasMessageContaining("cannot suspend");
    assertThat(jobs.jobs()).isEmpty();
  }

  @Test
  void aThrowingListenerDoesNotStopTheJob() throws Exception {
    List<Vm> vms = List.of(TestVms.vm(1, "stopped", "kvm", TestVms.OWNER_A));
    store.initialize(vms);
    JobListener bad =
        new JobListener() {
          @Override
          public void jobStarted(Job job) {
            throw new IllegalStateException("boom");
          }

          @Override
          public void jobFinished(Job job) {
            heard.add("finished " + job.state().wireName());
          }
        };
    jobs =
        new JobManager(
            store,
            new Recording(),
            JobLog.open(dir.resolve("jobs.log"), 10, CLOCK.instant()),
            CLOCK,
            2,
            2,
            Duration.ofSeconds(1),
            WAIT,
            bad);
    Job done = awaitFinished(jobs.submit(TestVms.uuid(1), GuestAction.START, "uid:0").id());
    assertThat(done.state()).isEqualTo(JobState.COMPLETE);
    await().atMost(WAIT).until(() -> heard.contains("finished Complete"));
  }
}
