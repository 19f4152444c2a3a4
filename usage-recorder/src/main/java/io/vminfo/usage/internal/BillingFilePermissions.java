package io.vminfo.usage.internal;

import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Usage records are billing data: the spool, the archive and the ledger are created 0640 (files)
 * and 0750 (directories), never world-readable. The mode is given at creation, not set after, so
 * there is no moment in which another user can open a new file.
 */
public final class BillingFilePermissions {
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r-----");
  public static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwxr-x---");

  private static final FileAttribute<?>[] NONE = new FileAttribute<?>[0];
  private static final FileAttribute<?>[] FILE_ATTRIBUTES = {
    PosixFilePermissions.asFileAttribute(FILE)
  };
  private static final FileAttribute<?>[] DIRECTORY_ATTRIBUTES = {
    PosixFilePermissions.asFileAttribute(DIRECTORY)
  };

  private BillingFilePermissions() {}

  /**
   * The creation attributes for a new file at {@code path} (none where POSIX modes do not exist).
   */
  public static FileAttribute<?>[] forFile(Path path) {
    return posix(path.getFileSystem()) ? FILE_ATTRIBUTES : NONE;
  }

  /** The creation attributes for a new directory at {@code path}. */
  public static FileAttribute<?>[] forDirectory(Path path) {
    return posix(path.getFileSystem()) ? DIRECTORY_ATTRIBUTES : NONE;
  }

  private static boolean posix(FileSystem fs) {
    return fs.supportedFileAttributeViews().contains("posix");
  }
}
