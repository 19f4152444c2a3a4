package io.vminfo.sysevent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Which host backend a machine has (DESIGN section 9): SmartOS zones, libvirt, or neither. */
public final class Backends {
  private Backends() {}

  /** A host kind. */
  public enum Kind {
    /** {@code <root>/etc/zones} exists. */
    SMARTOS,
    /** {@code <root>/etc/libvirt/qemu} or {@code <root>/run/libvirt/qemu} exists. */
    LIBVIRT,
    /** Neither: the agent falls back to the {@link ExampleHost}. */
    NONE
  }

  /** Detects the backend of the host tree at {@code hostRoot}; SmartOS wins when both match. */
  public static Kind detect(Path hostRoot) {
    Objects.requireNonNull(hostRoot, "hostRoot");
    if (Files.isDirectory(hostRoot.resolve("etc/zones"))) {
      return Kind.SMARTOS;
    }
    if (Files.isDirectory(hostRoot.resolve("etc/libvirt/qemu"))
        || Files.isDirectory(hostRoot.resolve("run/libvirt/qemu"))) {
      return Kind.LIBVIRT;
    }
    return Kind.NONE;
  }
}
