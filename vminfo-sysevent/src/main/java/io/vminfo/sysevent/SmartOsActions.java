package io.vminfo.sysevent;

import io.vminfo.core.GuestAction;
import io.vminfo.core.GuestActions;
import io.vminfo.core.Vm;
import io.vminfo.core.text.Uuids;
import io.vminfo.sysevent.internal.host.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest actions on a SmartOS host through {@code vmadm} ({@code usr/sbin/vmadm} under the host
 * root): {@code start}, {@code stop} (graceful within the grace period, then {@code stop -F}),
 * {@code reboot}, and {@code stop -F} for a power-off. Zones cannot be suspended, so suspend and
 * resume are not offered.
 */
public final class SmartOsActions implements GuestActions {
  private static final Logger log = LoggerFactory.getLogger(SmartOsActions.class);

  private final Path vmadm;

  private SmartOsActions(Path vmadm) {
    this.vmadm = vmadm;
  }

  public static SmartOsActions under(Path hostRoot) {
    Objects.requireNonNull(hostRoot, "hostRoot");
    return new SmartOsActions(hostRoot.resolve("usr/sbin/vmadm"));
  }

  /** Whether {@code vmadm} exists in the tree. */
  public boolean usable() {
    return CommandRunner.usable(vmadm);
  }

  @Override
  public Set<GuestAction> supported() {
    return EnumSet.of(
        GuestAction.START, GuestAction.STOP, GuestAction.REBOOT, GuestAction.POWEROFF);
  }

  @Override
  public void perform(Vm vm, GuestAction action, Duration gracePeriod, Duration timeout)
      throws IOException {
    String uuid = vm.uuid();
    if (!Uuids.isLowerCaseUuid(uuid)) {
      throw new IOException("not a zone uuid: " + uuid);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    switch (action) {
      case START -> vmadm(deadline, "start", uuid);
      case POWEROFF -> vmadm(deadline, "stop", uuid, "-F");
      case REBOOT -> vmadm(deadline, "reboot", uuid);
      case STOP -> {
        long graceLeft = Math.min(gracePeriod.toNanos(), deadline - System.nanoTime());
        try {
          check("stop", run(graceLeft, "stop", uuid));
        } catch (IOException e) {
          log.info("zone {} did not stop gracefully ({}); forcing it", uuid, e.getMessage());
          vmadm(deadline, "stop", uuid, "-F");
        }
      }
      default -> throw new IOException("vmadm cannot " + action.wireName() + " a zone");
    }
  }

  private void vmadm(long deadline, String... args) throws IOException {
    check(args[0], run(deadline - System.nanoTime(), args));
  }

  private CommandRunner.Result run(long nanosLeft, String... args) throws IOException {
    if (nanosLeft <= 0) {
      throw new IOException("vmadm " + args[0] + ": the action's timeout passed");
    }
    return new CommandRunner(Duration.ofNanos(nanosLeft), 1 << 20).run(vmadm, args);
  }

  private static void check(String command, CommandRunner.Result r) throws IOException {
    if (r.exitCode() != 0) {
      String msg = r.stderr().isBlank() ? r.stdout().trim() : r.stderr();
      throw new IOException("vmadm " + command + " failed (exit " + r.exitCode() + "): " + msg);
    }
  }
}
