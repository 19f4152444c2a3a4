package io.vminfo.agent.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The state directory holds billing data and the agent's identity: anyone who can write to it can
 * plant, rename or delete usage files. The agent still starts (the operator may have reasons), but
 * says so at every start.
 */
public final class StateDirectoryPermissions {
  private StateDirectoryPermissions() {}

  /**
   * A warning when {@code dir} is group- or world-writable; empty otherwise or without POSIX modes.
   */
  public static Optional<String> warning(Path dir) throws IOException {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Optional.empty();
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
    boolean group = mode.contains(PosixFilePermission.GROUP_WRITE);
    boolean others = mode.contains(PosixFilePermission.OTHERS_WRITE);
    if (!group && !others) {
      return Optional.empty();
    }
    return Optional.of(
        "state directory "
            + dir
            + " is "
            + (others ? "world" : "group")
            + "-writable ("
            + PosixFilePermissions.toString(mode)
            + "): other users can alter usage records before they are uploaded; chmod go-w it");
  }
}
