package io.vminfo.sysevent.internal.libvirt;

import java.io.IOException;

/**
 * The few libvirt domain calls guest actions need, by domain UUID, each bounded by a deadline
 * ({@link System#nanoTime()} based). Two ways to make them: libvirt's own client library, or the
 * {@code virsh} command.
 */
public interface DomainControl {
  /** A domain lifecycle call. */
  enum Call {
    START("start"),
    SHUTDOWN("shutdown"),
    DESTROY("destroy"),
    SUSPEND("suspend"),
    RESUME("resume");

    private final String virshName;

    Call(String virshName) {
      this.virshName = virshName;
    }

    public String virshName() {
      return virshName;
    }
  }

  /** How the calls are made, for logs: {@code libvirt.so.0} or the virsh path. */
  String transport();

  void call(Call call, String uuid, long deadlineNanos) throws IOException;

  /** True when the domain is shut off. */
  boolean shutOff(String uuid, long deadlineNanos) throws IOException;
}
