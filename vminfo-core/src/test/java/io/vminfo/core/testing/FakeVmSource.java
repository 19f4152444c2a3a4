package io.vminfo.core.testing;

import io.vminfo.core.HostIdentity;
import io.vminfo.core.LoadResult;
import io.vminfo.core.Reload;
import io.vminfo.core.ReloadQueue;
import io.vminfo.core.ReloadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmLookup;
import io.vminfo.core.VmSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory host for tests: the "truth" is a map the test edits; {@link #changed(String)} tells
 * the service like a file watcher would ({@link #apply} and {@link #remove} do both at once).
 */
public final class FakeVmSource implements VmSource {
  private final Map<String, Vm> truth = new ConcurrentSkipListMap<>();
  private final List<VmLoadError> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ReloadQueue queue;
  private final AtomicInteger starts = new AtomicInteger();
  private final HostIdentity identity;
  private volatile LoadHook loadHook = () -> {};

  /** An empty host with server {@link TestVms#SERVER} in datacenter {@code test-dc}. */
  public FakeVmSource() {
    this(List.of(), new HostIdentity(Optional.of(TestVms.SERVER), Optional.of("test-dc")));
  }

  public FakeVmSource(java.util.Collection<Vm> initial, HostIdentity identity) {
    for (Vm vm : initial) {
      truth.put(vm.uuid(), vm);
    }
    this.identity = java.util.Objects.requireNonNull(identity, "identity");
  }

  /** Runs inside every full load, e.g. to block it on a latch. */
  @FunctionalInterface
  public interface LoadHook {
    void beforeLoad() throws Exception;
  }

  public void put(Vm vm) {
    truth.put(vm.uuid(), vm);
  }

  public void delete(String uuid) {
    truth.remove(uuid);
  }

  /** Creates or replaces a VM on the host and tells the service, as a file change would. */
  public void apply(Vm vm) {
    put(vm);
    changed(vm.uuid());
  }

  /** Deletes a VM on the host and tells the service. */
  public void remove(String uuid) {
    delete(uuid);
    changed(uuid);
  }

  public Optional<Vm> get(String uuid) {
    return Optional.ofNullable(truth.get(uuid));
  }

  /** How many times a service started this source. */
  public int starts() {
    return starts.get();
  }

  public void addError(VmLoadError error) {
    errors.add(error);
  }

  public void clearErrors() {
    errors.clear();
  }

  public void onLoad(LoadHook hook) {
    this.loadHook = hook;
  }

  /** Like a watcher event for one VM: queues a reload of it. */
  public void changed(String uuid) {
    ReloadQueue q = queue;
    if (q == null) {
      throw new IllegalStateException("no service has started this source");
    }
    q.submit(reloadOf(uuid));
  }

  public void submit(Reload reload) {
    queue.submit(reload);
  }

  /** Like an inotify overflow. */
  public void overflow() {
    queue.requestReconcile("overflow");
  }

  public int loads() {
    return loads.get();
  }

  public boolean isClosed() {
    return closed.get();
  }

  public Reload reloadOf(String uuid) {
    return new Reload() {
      @Override
      public String key() {
        return "fake:" + uuid;
      }

      @Override
      public ReloadResult run(VmLookup current) {
        Optional<Vm> vm = Optional.ofNullable(truth.get(uuid));
        ReloadResult.Builder b = ReloadResult.builder();
        if (vm.isPresent()) {
          b.upsert(vm.get());
        } else if (current.get(uuid).isPresent()) {
          b.remove(uuid);
        }
        return b.build();
      }
    };
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public HostIdentity hostIdentity() {
    return identity;
  }

  @Override
  public LoadResult loadAll() throws java.io.IOException {
    loads.incrementAndGet();
    List<Vm> vms = new ArrayList<>(truth.values());
    try {
      loadHook.beforeLoad();
    } catch (java.io.IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new java.io.IOException(e);
    }
    return new LoadResult(vms, errors);
  }

  @Override
  public void start(ReloadQueue queue) {
    starts.incrementAndGet();
    this.queue = queue;
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
