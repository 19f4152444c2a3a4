package io.vminfo.agent.internal;

import io.vminfo.agent.Job;
import io.vminfo.agent.JobListener;
import io.vminfo.agent.JobState;
import io.vminfo.core.GuestAction;
import io.vminfo.core.GuestActions;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmStore;
import io.vminfo.core.concurrent.NamedThreads;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs guest actions as jobs: one action per VM at a time, later ones queued per VM (FIFO, at most
 * {@code queuePerVm} waiting, then {@link Rejected}); actions on different VMs run in parallel on
 * {@code parallel} named threads. A job is Complete only once the VM store shows the action's end
 * state (for a reboot: after it was seen out of {@code running}); when {@code timeout} passes first
 * it is Error with the state the VM is in. Every state change is in the {@link JobLog} before
 * anyone (API, listener) hears of it.
 */
public final class JobManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobManager.class);

  /** The job was not accepted. {@code tooMany}: the VM's queue is full (429). */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean tooMany;

    Rejected(String message, boolean tooMany) {
      super(message);
      this.tooMany = tooMany;
    }

    public boolean tooMany() {
      return tooMany;
    }
  }

  private final VmStore store;
  private final GuestActions actions;
  private final JobLog jobLog;
  private final Clock clock;
  private final int queuePerVm;
  private final Duration grace;
  private final Duration timeout;
  private final JobListener listener;
  private final ExecutorService workers;
  private final AutoCloseable storeListener;
  private final Object lock = new Object();

  /** Waiting jobs per VM; a VM is in {@code busy} while one of its jobs runs. */
  private final Map<String, ArrayDeque<Job>> queues = new HashMap<>();

  private final Map<String, Job> busy = new HashMap<>();

  /** States seen on the store for each VM with a running job, since it started. */
  private final Map<String, List<String>> seen = new HashMap<>();

  private boolean closed;

  public JobManager(
      VmStore store,
      GuestActions actions,
      JobLog jobLog,
      Clock clock,
      int queuePerVm,
      int parallel,
      Duration grace,
      Duration timeout,
      JobListener listener) {
    this.store = Objects.requireNonNull(store, "store");
    this.actions = Objects.requireNonNull(actions, "actions");
    this.jobLog = Objects.requireNonNull(jobLog, "jobLog");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (queuePerVm < 1 || parallel < 1) {
      throw new IllegalArgumentException("queuePerVm and parallel must be at least 1");
    }
    this.queuePerVm = queuePerVm;
    this.grace = Objects.requireNonNull(grace, "grace");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.workers = Executors.newFixedThreadPool(parallel, NamedThreads.daemon("vminfo-job"));
    this.storeListener = store.addListener(this::onEvent);
  }

  /**
   * Queues {@code action} on the VM (a uuid the store has). Returns the job as recorded (Queued).
   *
   * @throws Rejected the backend cannot do it, or the VM's queue is full
   * @throws IOException the job log could not be written (nothing was queued)
   */
  public Job submit(String vmUuid, GuestAction action, String requester)
      throws Rejected, IOException {
    if (!actions.supported().contains(action)) {
      throw new Rejected("this host's backend cannot " + action.wireName() + " guests", false);
    }
    synchronized (lock) {
      if (closed) {
        throw new Rejected("the agent is shutting down", true);
      }
      ArrayDeque<Job> q = queues.computeIfAbsent(vmUuid, k -> new ArrayDeque<>());
      if (busy.containsKey(vmUuid) && q.size() >= queuePerVm) {
        throw new Rejected(
            q.size()
                + " actions are already waiting for VM "
                + vmUuid
                + " (actions.queue_per_vm); try again later",
            true);
      }
      Job job =
          Job.queued(UUID.randomUUID().toString(), vmUuid, action, requester, clock.instant());
      jobLog.record(job);
      q.addLast(job);
      dispatch(vmUuid);
      return job;
    }
  }

  /** Every job known (the log's: unfinished plus the last finished ones), oldest first. */
  public List<Job> jobs() {
    return jobLog.jobs();
  }

  public Optional<Job> job(String id) {
    return jobLog.jobs().stream().filter(j -> j.id().equals(id)).findFirst();
  }

  public List<Job> jobsOf(String vmUuid) {
    return jobLog.jobs().stream().filter(j -> j.vmUuid().equals(vmUuid)).toList();
  }

  /** Whether the backend can do anything at all. */
  public boolean anySupported() {
    return !actions.supported().isEmpty();
  }

  private void dispatch(String vmUuid) {
    if (busy.containsKey(vmUuid)) {
      return;
    }
    ArrayDeque<Job> q = queues.get(vmUuid);
    Job next = q == null ? null : q.pollFirst();
    if (next == null) {
      queues.remove(vmUuid);
      return;
    }
    busy.put(vmUuid, next);
    try {
      workers.execute(() -> run(next));
    } catch (RejectedExecutionException e) {
      busy.remove(vmUuid); // shutting down: the job stays Queued in the log, Error at next start
    }
  }

  private void run(Job queued) {
    Job job = queued;
    try {
      job = queued.running(clock.instant());
      synchronized (lock) {
        seen.put(job.vmUuid(), new ArrayList<>());
      }
      jobLog.record(job);
      notifyListener(job, true);
      job = carryOut(job);
    } catch (IOException e) {
      log.error("job {}: the job log could not be written: {}", job.id(), e.toString());
      job =
          job.state().finished()
              ? job
              : job.finished(
                  JobState.ERROR,
                  clock.instant(),
                  Optional.of("job log: " + e.getMessage()),
                  currentState(job.vmUuid()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      job =
          job.finished(
              JobState.ERROR,
              clock.instant(),
              Optional.of("the agent stopped while the job ran"),
              currentState(job.vmUuid()));
    } catch (RuntimeException e) {
      log.error("job {} failed", job.id(), e);
      job =
          job.finished(
              JobState.ERROR,
              clock.instant(),
              Optional.of("internal error: " + e),
              currentState(job.vmUuid()));
    }
    if (job.state().finished()) {
      try {
        jobLog.record(job);
      } catch (IOException e) {
        log.error("job {}: the job log could not be written: {}", job.id(), e.toString());
      }
      log.info(
          "job {} {} {} by {}: {}{}",
          job.id(),
          job.action().wireName(),
          job.vmUuid(),
          job.requester(),
          job.state().wireName(),
          job.message().map(m -> " (" + m + ")").orElse(""));
      notifyListener(job, false);
    }
    synchronized (lock) {
      busy.remove(job.vmUuid());
      seen.remove(job.vmUuid());
      if (!closed) {
        dispatch(job.vmUuid());
      }
    }
  }

  private Job carryOut(Job job) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<Vm> vm = store.get(job.vmUuid());
    if (vm.isEmpty()) {
      return job.finished(
          JobState.ERROR, clock.instant(), Optional.of("VM not found"), Optional.empty());
    }
    try {
      actions.perform(vm.get(), job.action(), grace, timeout);
    } catch (IOException e) {
      return job.finished(
          JobState.ERROR, clock.instant(), Optional.of(e.getMessage()), currentState(job.vmUuid()));
    }
    GuestAction action = job.action();
    synchronized (lock) {
      while (!done(job.vmUuid(), action)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          Optional<String> st = currentState(job.vmUuid());
          return job.finished(
              JobState.ERROR,
              clock.instant(),
              Optional.of(
                  (closed ? "the agent stopped" : "timed out after " + timeout.toMillis() + " ms")
                      + " waiting for the VM to be "
                      + action.expectedState()
                      + "; it is "
                      + st.orElse("gone")),
              st);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
    return job.finished(
        JobState.COMPLETE, clock.instant(), Optional.empty(), currentState(job.vmUuid()));
  }

  /** Called with the lock held. */
  private boolean done(String vmUuid, GuestAction action) {
    Optional<String> st = currentState(vmUuid);
    if (st.isEmpty() || !st.get().equals(action.expectedState())) {
      return false;
    }
    if (action.passesThroughStop()) {
      List<String> states = seen.getOrDefault(vmUuid, List.of());
      return states.stream().anyMatch(s -> !s.equals("running"));
    }
    return true;
  }

  private Optional<String> currentState(String vmUuid) {
    return store.get(vmUuid).flatMap(Vm::state);
  }

  private void onEvent(VmEvent event) {
    synchronized (lock) {
      List<String> states = seen.get(event.uuid());
      if (states != null) {
        event.vm().flatMap(Vm::state).ifPresent(states::add);
        lock.notifyAll();
      }
    }
  }

  private void notifyListener(Job job, boolean started) {
    try {
      if (started) {
        listener.jobStarted(job);
      } else {
        listener.jobFinished(job);
      }
    } catch (RuntimeException e) {
      log.warn("job listener failed on job {}: {}", job.id(), e.toString());
    }
  }

  /** Stops taking jobs, lets running ones end within {@code timeout}, closes the log. */
  public void close(Duration within) {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(within.toMillis(), TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    try {
      storeListener.close();
    } catch (Exception e) {
      log.debug("removing the store listener failed: {}", e.toString());
    }
    try {
      jobLog.close();
    } catch (IOException e) {
      log.warn("closing the job log failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
