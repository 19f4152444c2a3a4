package io.vminfo.core;

import java.util.Locale;

/**
 * An action on a guest, as the agent's write API names it. Each names the state the VM store must
 * show before a job running it counts as complete: the command returning is not enough, because
 * readers of the store (and of the feed) are what the caller waits for.
 */
public enum GuestAction {
  START("running"),
  /** A graceful shutdown; after its grace period the guest is powered off. */
  STOP("stopped"),
  /**
   * A graceful shutdown (then power-off after the grace period) and a start: the store must see the
   * guest stopped and running again, since a reset inside a running QEMU or zone is invisible to
   * it.
   */
  REBOOT("running"),
  POWEROFF("stopped"),
  SUSPEND("paused"),
  RESUME("running");

  private final String expectedState;

  GuestAction(String expectedState) {
    this.expectedState = expectedState;
  }

  /** The VM {@code state} the store shows once the action took effect. */
  public String expectedState() {
    return expectedState;
  }

  /** Whether the guest must be seen out of {@code running} before the end state counts. */
  public boolean passesThroughStop() {
    return this == REBOOT;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; an unknown name is an {@link IllegalArgumentException} saying which. */
  public static GuestAction fromWireName(String name) {
    for (GuestAction a : values()) {
      if (a.wireName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown action \"" + name + "\" (start, stop, reboot, poweroff, suspend, resume)");
  }
}
