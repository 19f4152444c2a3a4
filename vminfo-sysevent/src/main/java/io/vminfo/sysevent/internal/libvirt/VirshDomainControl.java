package io.vminfo.sysevent.internal.libvirt;

import io.vminfo.sysevent.internal.host.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Domain calls through the {@code virsh} command, each run killed at the deadline. */
public final class VirshDomainControl implements DomainControl {
  private final Path virsh;
  private final String uri;

  public VirshDomainControl(Path virsh, String uri) {
    this.virsh = virsh;
    this.uri = uri;
  }

  public boolean usable() {
    return CommandRunner.usable(virsh);
  }

  @Override
  public String transport() {
    return virsh + " (" + uri + ")";
  }

  @Override
  public void call(Call call, String uuid, long deadlineNanos) throws IOException {
    CommandRunner.Result r = run(deadlineNanos, call.virshName(), uuid);
    if (r.exitCode() != 0) {
      throw failure(call.virshName(), r);
    }
  }

  @Override
  public boolean shutOff(String uuid, long deadlineNanos) throws IOException {
    CommandRunner.Result r = run(deadlineNanos, "domstate", uuid);
    if (r.exitCode() != 0) {
      throw failure("domstate", r);
    }
    return r.stdout().trim().equals("shut off");
  }

  private CommandRunner.Result run(long deadline, String command, String uuid) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IOException("virsh " + command + ": the action's timeout passed");
    }
    return new CommandRunner(Duration.ofNanos(left), 1 << 20)
        .run(virsh, "-q", "-c", uri, command, uuid);
  }

  private static IOException failure(String command, CommandRunner.Result r) {
    String msg = r.stderr().isBlank() ? r.stdout().trim() : r.stderr();
    return new IOException("virsh " + command + " failed (exit " + r.exitCode() + "): " + msg);
  }
}
