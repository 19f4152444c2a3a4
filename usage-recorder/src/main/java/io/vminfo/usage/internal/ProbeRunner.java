package io.vminfo.usage.internal;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the probe over a sample's VMs on the probe executor, with one deadline for the whole batch:
 * a host command that hangs (a stuck {@code zfs list}) costs the usage of that sample, never the
 * sample itself. A VM whose probe throws, or is not reached in time, gets a record without usage;
 * that is logged once when it starts failing, and counted.
 */
public final class ProbeRunner {
  private static final Logger log = LoggerFactory.getLogger(ProbeRunner.class);

  private final UsageProbe probe;
  private final ExecutorService executor;
  private final Duration timeout;
  private final Reporter reporter;
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  public ProbeRunner(
      UsageProbe probe, ExecutorService executor, Duration timeout, Reporter reporter) {
    this.probe = probe;
    this.executor = executor;
    this.timeout = timeout;
    this.reporter = reporter;
  }

  /** Usage by VM uuid; VMs missing from the map have no usage this time. */
  public Map<String, VmUsage> probeAll(List<Vm> vms) {
    if (vms.isEmpty()) {
      return Map.of();
    }
    Map<String, VmUsage> results = new HashMap<>();
    // Set when the deadline passed: a probe finishing after that is too late for this sample.
    AtomicBoolean late = new AtomicBoolean();
    Future<?> batch;
    try {
      batch =
          executor.submit(
              () -> {
                for (Vm vm : vms) {
                  if (Thread.currentThread().isInterrupted()) {
                    return;
                  }
                  VmUsage u = probeOne(vm);
                  synchronized (results) {
                    if (late.get()) {
                      return;
                    }
                    results.put(vm.uuid(), u);
                  }
                }
              });
    } catch (RejectedExecutionException e) {
      log.warn(
          "usage probes not run (probe executor stopped): {} VMs recorded without usage",
          vms.size());
      return Map.of();
    }
    try {
      batch.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      int missing;
      synchronized (results) {
        late.set(true);
        missing = vms.size() - results.size();
      }
      batch.cancel(true);
      reporter.problem(
          "probe",
          "probes did not finish within "
              + timeout
              + "; "
              + missing
              + " VM(s) recorded without usage");
      log.warn(
          "usage probes did not finish within {}: {} of {} VMs recorded without usage",
          timeout,
          missing,
          vms.size());
      for (int i = 0; i < missing; i++) {
        reporter.probeFailed();
      }
    } catch (ExecutionException e) {
      log.error("usage probe batch failed", e.getCause());
    } catch (InterruptedException e) {
      synchronized (results) {
        late.set(true);
      }
      batch.cancel(true);
      Thread.currentThread().interrupt();
    }
    synchronized (results) {
      return Map.copyOf(results);
    }
  }

  /** Probes one VM on the calling thread (a probe that throws gives no usage). */
  public VmUsage probeNow(Vm vm) {
    return probeOne(vm);
  }

  private VmUsage probeOne(Vm vm) {
    try {
      VmUsage u = probe.sample(vm);
      if (u == null) {
        throw new IllegalStateException("probe returned null");
      }
      if (failing.remove(vm.uuid())) {
        log.info("usage probe of VM {} works again", vm.uuid());
      }
      if (!u.problems().isEmpty()) {
        log.debug("usage of VM {} is partial: {}", vm.uuid(), u.problems());
      }
      return u;
    } catch (Exception e) {
      reporter.probeFailed();
      if (failing.add(vm.uuid())) {
        log.warn(
            "usage probe of VM {} failed (recorded without usage until it works again): {}",
            vm.uuid(),
            e.toString());
      } else {
        log.debug("usage probe of VM {} failed again: {}", vm.uuid(), e.toString());
      }
      return VmUsage.EMPTY;
    }
  }
}
