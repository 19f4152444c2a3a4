package io.vminfo.core;

import java.io.IOException;

/**
 * A host backend (SmartOS zones, libvirt domains, ...): loads every VM, then watches the host and
 * turns changes into {@link Reload}s. All of its work runs through the {@link VmInfoService}'s one
 * serial queue.
 */
public interface VmSource extends AutoCloseable {
  /** Short backend name for status and logs, e.g. {@code smartos} or {@code libvirt}. */
  String name();

  /** Server uuid and datacenter name as the host knows them, where it does. */
  HostIdentity hostIdentity() throws IOException;

  /** Reads every VM. One VM that fails goes into {@link LoadResult#errors()}; the rest load. */
  LoadResult loadAll() throws IOException;

  /**
   * Starts watching the host; changes go to {@code queue}. Called once, before the initial {@link
   * #loadAll()}, so nothing that happens during the load is missed.
   */
  void start(ReloadQueue queue) throws IOException;

  /** Stops watching and releases native resources. */
  @Override
  void close();
}
