package io.vminfo.ittests.libvirt;

import io.vminfo.core.testing.Prerequisites;
import io.vminfo.ittests.LibvirtHost;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;

/** What the libvirt integration tests share: starting the host (or skipping), virsh's names. */
public final class LibvirtTesting {
  /**
   * The resource lock of every test class that drives libvirtd: they start and stop the one
   * qemu:///system daemon and watch all of its guests, so no two of them may run at once.
   */
  public static final String DAEMON = "libvirtd";

  private LibvirtTesting() {}

  /**
   * Attaches to libvirtd, started once for this JVM and stopped when it exits; the calling test
   * class is skipped, with the reason, when it cannot. Closing the returned host removes only the
   * guests it defined.
   */
  public static LibvirtHost startOrSkip() {
    Prerequisites.require(LibvirtHost.isAvailable(), LibvirtHost.skipMessage());
    try {
      startDaemonOnce();
      return LibvirtHost.start();
    } catch (IOException e) {
      Prerequisites.require(
          false,
          "SKIPPED libvirt integration tests: libvirtd could not be started: " + e.getMessage());
      throw new IllegalStateException("unreachable");
    }
  }

  // The daemon this JVM started, if any: it outlives the test classes (some run concurrently, and
  // one class stopping it would pull it from under another) and stops when the JVM exits.
  private static LibvirtHost daemon;

  private static synchronized void startDaemonOnce() throws IOException {
    if (daemon == null) {
      LibvirtHost started = LibvirtHost.start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "libvirtd-stop"));
      daemon = started;
    }
  }

  /** libvirt's raw state names as {@code virsh dominfo} prints them. */
  public static String virshState(String raw) {
    return switch (raw) {
      case "shutoff" -> "shut off";
      case "shutdown" -> "in shutdown";
      case "blocked" -> "idle";
      case "nostate" -> "no state";
      default -> raw;
    };
  }

  /** Link-local multicast out of the host side of a guest's tap: the guest receives it. */
  public static void sendTo(String dev) {
    try (DatagramSocket socket = new DatagramSocket()) {
      NetworkInterface nif = NetworkInterface.getByName(dev);
      if (nif == null) {
        return;
      }
      InetAddress allNodes =
          Inet6Address.getByAddress(null, InetAddress.getByName("ff02::1").getAddress(), nif);
      byte[] payload = new byte[512];
      for (int i = 0; i < 5; i++) {
        socket.send(
            new DatagramPacket(payload, payload.length, new InetSocketAddress(allNodes, 9)));
      }
    } catch (IOException e) {
      // no IPv6 on the tap: the guest's own boot traffic (DHCP) still moves the counters
    }
  }
}
