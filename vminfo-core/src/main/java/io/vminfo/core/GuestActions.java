package io.vminfo.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * Performs actions on guests (implemented by each backend that can). {@link #perform} returns once
 * the host accepted and carried out the command; whether the VM store shows the result is the
 * caller's to wait for. Every implementation bounds each host call by {@code timeout}.
 */
public interface GuestActions {
  /** The actions this backend can carry out. */
  Set<GuestAction> supported();

  /**
   * Carries out {@code action} on {@code vm} within {@code timeout} (for {@link GuestAction#STOP}
   * and {@link GuestAction#REBOOT}, {@code gracePeriod} of it is given to a graceful shutdown
   * before the guest is powered off).
   *
   * @throws IOException the host refused or failed, with its message; or the timeout passed
   */
  void perform(Vm vm, GuestAction action, Duration gracePeriod, Duration timeout)
      throws IOException, InterruptedException;

  /** A backend that can do nothing (the example host, or embedders without actions). */
  GuestActions NONE =
      new GuestActions() {
        @Override
        public Set<GuestAction> supported() {
          return Set.of();
        }

        @Override
        public void perform(Vm vm, GuestAction action, Duration gracePeriod, Duration timeout)
            throws IOException {
          throw new IOException("this backend cannot " + action.wireName() + " guests");
        }
      };
}
