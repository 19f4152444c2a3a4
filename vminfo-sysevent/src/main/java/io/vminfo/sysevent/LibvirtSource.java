package io.vminfo.sysevent;

import io.vminfo.core.HostIdentity;
import io.vminfo.core.LoadResult;
import io.vminfo.core.Reload;
import io.vminfo.core.ReloadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmLookup;
import io.vminfo.sysevent.internal.libvirt.LibvirtHost;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libvirt (QEMU/KVM) backend: one VM per domain, built from the persistent definition in {@code
 * /etc/libvirt/qemu/<name>.xml} and, while the domain runs, its status file {@code
 * /run/libvirt/qemu/<name>.xml} ({@code <domstatus state reason pid>} plus the live domain with its
 * {@code vnetN} devices). Transient domains (status file only) are VMs too.
 *
 * <p>libvirt writes {@code <file>.new} and renames it over {@code <file>}; the rename is what
 * triggers a reload of that one domain, and {@code *.new} files are never read. Directories that do
 * not exist yet (e.g. {@code /run/libvirt/qemu} before libvirtd starts) are watched as soon as they
 * appear, followed by a full reconciliation.
 */
public final class LibvirtSource extends HostSource {
  private static final Logger log = LoggerFactory.getLogger(LibvirtSource.class);

  private final LibvirtHost host;

  private LibvirtSource(Builder b) throws IOException {
    super(b);
    this.host = new LibvirtHost(files, b.fallbackServerUuid);
    host.reloadHostUuid();
  }

  /** A builder; {@code fallbackServerUuid} is used when the host has no readable SMBIOS UUID. */
  public static Builder builder(String fallbackServerUuid) {
    return new Builder(fallbackServerUuid);
  }

  @Override
  public String name() {
    return "libvirt";
  }

  @Override
  public HostIdentity hostIdentity() {
    return new HostIdentity(host.reloadHostUuid(), Optional.empty());
  }

  @Override
  public LoadResult loadAll() throws IOException {
    List<Vm> vms = new ArrayList<>();
    List<VmLoadError> errors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String name : host.domainNames()) {
      try {
        Optional<Vm> vm = host.load(name);
        if (vm.isPresent()) {
          if (!seen.add(vm.get().uuid())) {
            throw new IOException("domain " + name + " has the uuid of another domain");
          }
          vms.add(vm.get());
        }
      } catch (IOException | RuntimeException e) {
        errors.add(loadError(name, Optional.empty(), Optional.of(name), e.getMessage()));
      }
    }
    return new LoadResult(vms, errors);
  }

  @Override
  void startWatching(FileWatcher w) throws IOException {
    w.watch(host.configDir());
    w.watch(host.statusDir());
    w.watch(host.autostartDir());
  }

  @Override
  void onFileEvent(WatchEvent e) {
    if (!LibvirtHost.isDomainFile(e.name())) {
      return;
    }
    // Autostart entries are symlinks: Relevance counts their create, as no close-write follows.
    if (relevant(e)) {
      queue.submit(new DomainReload(e.name().substring(0, e.name().length() - 4)));
    }
  }

  /** One domain's files changed: reload it, or delete its VM when both files are gone. */
  private final class DomainReload implements Reload {
    private final String name;

    DomainReload(String name) {
      this.name = name;
    }

    @Override
    public String key() {
      return "libvirt:domain:" + name;
    }

    @Override
    public ReloadResult run(VmLookup current) {
      ReloadResult.Builder out = ReloadResult.builder();
      Optional<Vm> existing = current.getByZonename(name);
      try {
        Optional<Vm> vm = host.load(name);
        if (vm.isEmpty()) {
          if (host.isGone(name)) {
            existing.ifPresent(v -> out.remove(v.uuid()));
          }
        } else {
          if (existing.isPresent() && !existing.get().uuid().equals(vm.get().uuid())) {
            out.remove(existing.get().uuid());
          }
          out.upsert(vm.get());
        }
        out.clearError(name);
      } catch (IOException | RuntimeException e) {
        // The VM keeps its last good state; libvirt's next write retries.
        log.debug("reloading domain {} failed", name, e);
        out.error(loadError(name, existing.map(Vm::uuid), Optional.of(name), e.getMessage()));
      }
      return out.build();
    }
  }

  /**
   * Configures a {@link LibvirtSource}: {@code hostRoot} (default {@code /}), {@code clock}, {@code
   * watcherFactory}.
   */
  public static final class Builder extends HostSource.Builder<Builder, LibvirtSource> {
    private Builder(String fallbackServerUuid) {
      super(fallbackServerUuid);
    }

    @Override
    Builder self() {
      return this;
    }

    @Override
    LibvirtSource create() throws IOException {
      return new LibvirtSource(this);
    }
  }
}
