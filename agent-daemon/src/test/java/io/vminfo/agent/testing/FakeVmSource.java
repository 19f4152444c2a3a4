package io.vminfo.agent.testing;

import io.vminfo.core.HostIdentity;
import io.vminfo.core.LoadResult;
import io.vminfo.core.Reload;
import io.vminfo.core.ReloadQueue;
import io.vminfo.core.ReloadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory host: tests change its VMs and it reports each change through the service's reload
 * queue, exactly as a file-watching backend would.
 */
public final class FakeVmSource implements VmSource {
  private final ConcurrentSkipListMap<String, Vm> vms = new ConcurrentSkipListMap<>();
  private final HostIdentity identity;
  private final List<VmLoadError> loadErrors = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger starts = new AtomicInteger();
  private volatile ReloadQueue queue;

  public FakeVmSource(Collection<Vm> initial) {
    this(initial, HostIdentity.unknown());
  }

  public FakeVmSource(Collection<Vm> initial, HostIdentity identity) {
    for (Vm vm : initial) {
      vms.put(vm.uuid(), vm);
    }
    this.identity = identity;
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
  public synchronized LoadResult loadAll() {
    return new LoadResult(List.copyOf(vms.values()), List.copyOf(loadErrors));
  }

  @Override
  public void start(ReloadQueue queue) {
    starts.incrementAndGet();
    this.queue = queue;
  }

  /** Creates or replaces a VM on the "host" and tells the agent. */
  public void put(Vm vm) {
    vms.put(vm.uuid(), vm);
    notifyChanged(vm.uuid());
  }

  /** Deletes a VM on the "host" and tells the agent. */
  public void remove(String uuid) {
    vms.remove(uuid);
    notifyChanged(uuid);
  }

  /** Makes the next full loads report an error for {@code key}. */
  public synchronized void failLoading(VmLoadError error) {
    loadErrors.add(error);
  }

  public Optional<Vm> get(String uuid) {
    return Optional.ofNullable(vms.get(uuid));
  }

  public boolean isClosed() {
    return closed.get();
  }

  public int starts() {
    return starts.get();
  }

  @Override
  public void close() {
    closed.set(true);
  }

  private void notifyChanged(String uuid) {
    ReloadQueue q = queue;
    if (q == null) {
      throw new IllegalStateException("the agent has not started this source");
    }
    q.submit(new Reload() {
      @Override
      public String key() {
        return "fake:" + uuid;
      }

      @Override
      public ReloadResult run(io.vminfo.core.VmLookup current) {
        Vm now = vms.get(uuid);
        return now == null
            ? ReloadResult.builder().remove(uuid).build()
            : ReloadResult.builder().upsert(now).build();
      }
    });
  }
}
