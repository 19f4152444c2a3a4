package io.vminfo.agent.internal;

import io.vminfo.agent.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** Decides which host backend to run (DESIGN section 9 and issue 6). */
public final class BackendDetector {
  /** The backends the agent knows. */
  public enum Kind {
    SMARTOS,
    LIBVIRT,
    EXAMPLE
  }

  /** A decision and why, for the log. */
  public record Decision(Kind kind, String reason) {}

  private BackendDetector() {}

  public static Decision decide(AgentConfig.Backend configured, Path hostRoot) {
    switch (configured) {
      case SMARTOS:
        return new Decision(Kind.SMARTOS, "backend=smartos in the config");
      case LIBVIRT:
        return new Decision(Kind.LIBVIRT, "backend=libvirt in the config");
      case EXAMPLE:
        return new Decision(Kind.EXAMPLE, "backend=example in the config");
      default:
        break;
    }
    Path zones = hostRoot.resolve("etc/zones");
    if (Files.isDirectory(zones)) {
      return new Decision(Kind.SMARTOS, zones + " exists");
    }
    for (String dir : new String[] {"etc/libvirt/qemu", "run/libvirt/qemu"}) {
      Path p = hostRoot.resolve(dir);
      if (Files.isDirectory(p)) {
        return new Decision(Kind.LIBVIRT, p + " exists");
      }
    }
    return new Decision(Kind.EXAMPLE, "neither " + zones + " nor " + hostRoot.resolve(
        "etc/libvirt/qemu") + " nor " + hostRoot.resolve("run/libvirt/qemu") + " exists");
  }
}
