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
 * the service like a file watcher would.
 */
public final class FakeVmSource implements VmSource {
  private final Map<String, Vm> truth = new ConcurrentSkipListMap<>();
  private final List<VmLoadError> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ReloadQueue queue;
  private volatile LoadHook loadHook = () -> {};

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
    queue.submit(reloadOf(uuid));
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
    return new HostIdentity(Optional.of(TestVms.SERVER), Optional.of("test-dc"));
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
    this.queue = queue;
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
