package io.vminfo.sysevent;

import io.vminfo.core.GuestAction;
import io.vminfo.core.GuestActions;
import io.vminfo.core.Vm;
import io.vminfo.sysevent.internal.host.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest actions on a libvirt host through {@code virsh} (each run bounded by the call's timeout and
 * killed beyond it). The domain is named by its UUID, which is the VM's uuid, so a renamed domain
 * is still the same guest. A stop asks the guest to shut down (ACPI) and powers it off once the
 * grace period is over; guests without an OS that listens (firmware only) are powered off.
 */
public final class LibvirtActions implements GuestActions {
  private static final Logger log = LoggerFactory.getLogger(LibvirtActions.class);
  private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
  private static final Duration POLL = Duration.ofMillis(100);

  private final Path virsh;
  private final String connectUri;

  private LibvirtActions(Path virsh, String connectUri) {
    this.virsh = virsh;
    this.connectUri = connectUri;
  }

  /** {@code virsh} under {@code hostRoot} ({@code usr/bin/virsh}), connecting to {@code uri}. */
  public static LibvirtActions viaVirsh(Path hostRoot, String uri) {
    Objects.requireNonNull(hostRoot, "hostRoot");
    Objects.requireNonNull(uri, "uri");
    return new LibvirtActions(hostRoot.resolve("usr/bin/virsh"), uri);
  }

  /** Whether the virsh binary exists here. */
  public boolean usable() {
    return CommandRunner.usable(virsh);
  }

  @Override
  public Set<GuestAction> supported() {
    return EnumSet.allOf(GuestAction.class);
  }

  @Override
  public void perform(Vm vm, GuestAction action, Duration gracePeriod, Duration timeout)
      throws IOException, InterruptedException {
    String uuid = vm.uuid().toLowerCase(Locale.ROOT);
    if (!UUID.matcher(uuid).matches()) {
      throw new IOException("not a libvirt domain uuid: " + uuid);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    switch (action) {
      case START -> virsh(deadline, "start", uuid);
      case POWEROFF -> virsh(deadline, "destroy", uuid);
      case SUSPEND -> virsh(deadline, "suspend", uuid);
      case RESUME -> virsh(deadline, "resume", uuid);
      case STOP -> stop(uuid, gracePeriod, deadline);
      case REBOOT -> {
        stop(uuid, gracePeriod, deadline);
        virsh(deadline, "start", uuid);
      }
      default -> throw new IOException("unsupported action " + action.wireName());
    }
  }

  private void stop(String uuid, Duration grace, long deadline)
      throws IOException, InterruptedException {
    if (domstate(uuid, deadline).equals("shut off")) {
      return;
    }
    virsh(deadline, "shutdown", uuid);
    long graceEnd = Math.min(deadline, System.nanoTime() + grace.toNanos());
    while (System.nanoTime() < graceEnd) {
      if (domstate(uuid, deadline).equals("shut off")) {
        return;
      }
      Thread.sleep(POLL.toMillis()); // virsh has no wait-for-state; polling is its documented way
    }
    log.info("domain {} did not shut down within {} ms; powering it off", uuid, grace.toMillis());
    CommandRunner.Result r = run(deadline, "destroy", uuid);
    if (r.exitCode() != 0 && !domstate(uuid, deadline).equals("shut off")) {
      throw failure("destroy", r);
    }
  }

  private String domstate(String uuid, long deadline) throws IOException {
    CommandRunner.Result r = run(deadline, "domstate", uuid);
    if (r.exitCode() != 0) {
      throw failure("domstate", r);
    }
    return r.stdout().trim();
  }

  private void virsh(long deadline, String command, String uuid) throws IOException {
    CommandRunner.Result r = run(deadline, command, uuid);
    if (r.exitCode() != 0) {
      throw failure(command, r);
    }
  }

  private CommandRunner.Result run(long deadline, String command, String uuid) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IOException("virsh " + command + ": the action's timeout passed");
    }
    return new CommandRunner(Duration.ofNanos(left), 1 << 20)
        .run(virsh, "-q", "-c", connectUri, command, uuid);
  }

  private static IOException failure(String command, CommandRunner.Result r) {
    String msg = r.stderr().isBlank() ? r.stdout().trim() : r.stderr();
    return new IOException("virsh " + command + " failed (exit " + r.exitCode() + "): " + msg);
  }
}
