package io.vminfo.sysevent;

import io.vminfo.core.GuestAction;
import io.vminfo.core.GuestActions;
import io.vminfo.core.Vm;
import io.vminfo.core.text.Uuids;
import io.vminfo.sysevent.internal.libvirt.DomainControl;
import io.vminfo.sysevent.internal.libvirt.DomainControl.Call;
import io.vminfo.sysevent.internal.libvirt.LibraryDomainControl;
import io.vminfo.sysevent.internal.libvirt.VirshDomainControl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest actions on a libvirt host, through libvirt's client library ({@code libvirt.so.0} via
 * JNR-FFI) or, where it cannot be loaded, the {@code virsh} command; every call bounded by the
 * action's timeout. The domain is named by its UUID, which is the VM's uuid, so a renamed domain is
 * still the same guest. A stop asks the guest to shut down (ACPI) and powers it off once the grace
 * period is over; guests without an OS that listens (firmware only) are powered off.
 */
public final class LibvirtActions implements GuestActions {
  private static final Logger log = LoggerFactory.getLogger(LibvirtActions.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final DomainControl control;

  private LibvirtActions(DomainControl control) {
    this.control = control;
  }

  /** {@code virsh} under {@code hostRoot} ({@code usr/bin/virsh}), connecting to {@code uri}. */
  public static LibvirtActions viaVirsh(Path hostRoot, String uri) {
    Objects.requireNonNull(hostRoot, "hostRoot");
    Objects.requireNonNull(uri, "uri");
    return new LibvirtActions(new VirshDomainControl(hostRoot.resolve("usr/bin/virsh"), uri));
  }

  /** libvirt's client library, connecting to {@code uri}; empty when it cannot be loaded. */
  public static Optional<LibvirtActions> viaLibrary(String uri) {
    Objects.requireNonNull(uri, "uri");
    return LibraryDomainControl.load(uri).map(LibvirtActions::new);
  }

  /** The library where it loads, else virsh under {@code hostRoot}. */
  public static LibvirtActions best(Path hostRoot, String uri) {
    return viaLibrary(uri)
        .orElseGet(
            () -> {
              log.info("libvirt.so.0 cannot be loaded; guest actions use virsh");
              return viaVirsh(hostRoot, uri);
            });
  }

  /** How the calls are made: {@code libvirt.so.0 (uri)} or {@code <virsh path> (uri)}. */
  public String transport() {
    return control.transport();
  }

  /** Whether the calls can be made here (the library loaded, or the virsh binary exists). */
  public boolean usable() {
    return !(control instanceof VirshDomainControl v) || v.usable();
  }

  @Override
  public Set<GuestAction> supported() {
    return EnumSet.allOf(GuestAction.class);
  }

  @Override
  public void perform(Vm vm, GuestAction action, Duration gracePeriod, Duration timeout)
      throws IOException, InterruptedException {
    String uuid = vm.uuid().toLowerCase(Locale.ROOT);
    if (!Uuids.isLowerCaseUuid(uuid)) {
      throw new IOException("not a libvirt domain uuid: " + uuid);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    switch (action) {
      case START -> control.call(Call.START, uuid, deadline);
      case POWEROFF -> control.call(Call.DESTROY, uuid, deadline);
      case SUSPEND -> control.call(Call.SUSPEND, uuid, deadline);
      case RESUME -> control.call(Call.RESUME, uuid, deadline);
      case STOP -> stop(uuid, gracePeriod, deadline);
      case REBOOT -> {
        stop(uuid, gracePeriod, deadline);
        control.call(Call.START, uuid, deadline);
      }
      default -> throw new IOException("unsupported action " + action.wireName());
    }
  }

  private void stop(String uuid, Duration grace, long deadline)
      throws IOException, InterruptedException {
    if (control.shutOff(uuid, deadline)) {
      return;
    }
    control.call(Call.SHUTDOWN, uuid, deadline);
    long graceEnd = Math.min(deadline, System.nanoTime() + grace.toNanos());
    while (System.nanoTime() < graceEnd) {
      if (control.shutOff(uuid, deadline)) {
        return;
      }
      // neither virsh nor the library waits for a state; libvirt's event API would need an
      // event loop of its own for this one wait
      Thread.sleep(POLL.toMillis());
    }
    log.info("domain {} did not shut down within {} ms; powering it off", uuid, grace.toMillis());
    try {
      control.call(Call.DESTROY, uuid, deadline);
    } catch (IOException e) {
      if (!control.shutOff(uuid, deadline)) {
        throw e;
      }
    }
  }
}
