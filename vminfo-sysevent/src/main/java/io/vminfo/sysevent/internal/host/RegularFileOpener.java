package io.vminfo.sysevent.internal.host;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Opens a host file for reading only if it is a regular file, in a way that cannot block.
 *
 * <p>A plain {@code open(2)} of a FIFO blocks until a writer appears (forever, for a FIFO planted
 * as {@code etc/zones/<uuid>.xml}), and a check before the open races with a rename. So on Linux
 * the file is opened {@code O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC} (never blocks, never follows
 * a symlink swapped in), the opened descriptor's type is read through {@code /proc/self/fd/N} (the
 * file actually opened, not whatever the name points to now), and only a regular file is read,
 * through that same descriptor path. Directories, FIFOs, sockets and devices are a {@code
 * NOT_REGULAR} {@link HostFileException}, which the sources report per VM.
 *
 * <p>Elsewhere (no libc through JNR-FFI) the type is checked on the name without following links
 * before the open: a rename in between can still slip a FIFO in there.
 */
final class RegularFileOpener {
  private static final int O_RDONLY = 0;
  private static final int O_NONBLOCK = 0x800;
  private static final int O_CLOEXEC = 0x80000;
  private static final int ENOENT = 2;
  private static final int EACCES = 13;
  private static final int ELOOP = 40;
  private static final Native NATIVE = load();

  private RegularFileOpener() {}

  /** The native path is in use (Linux with libc through JNR-FFI). */
  static boolean nonBlocking() {
    return NATIVE != null;
  }

  /** A channel on {@code target}, a regular file; {@code shown} names it in errors. */
  static SeekableByteChannel open(Path target, Path shown) throws IOException {
    if (NATIVE == null) {
      requireRegular(target, shown, LinkOption.NOFOLLOW_LINKS);
      return Files.newByteChannel(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }
    int fd =
        NATIVE.libc.open(target.toString(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | NATIVE.noFollow);
    if (fd < 0) {
      int errno = NATIVE.runtime.getLastError();
      switch (errno) {
        case ENOENT -> throw new NoSuchFileException(shown.toString());
        case EACCES -> throw new AccessDeniedException(shown.toString());
        case ELOOP ->
            throw new HostFileException(
                "NOT_REGULAR",
                shown + " is a symlink swapped in while it was being opened; not read");
        default -> {
          // ENXIO (a socket, a device without a driver) and the like: say what the name is.
          requireRegular(target, shown, LinkOption.NOFOLLOW_LINKS);
          throw new IOException("cannot open " + shown + ": errno " + errno);
        }
      }
    }
    try {
      Path opened = Path.of("/proc/self/fd/" + fd);
      requireRegular(opened, shown);
      // Reopening the descriptor's path opens the inode just checked: no race, and a regular
      // file's open does not block.
      return Files.newByteChannel(opened, StandardOpenOption.READ);
    } finally {
      NATIVE.libc.close(fd);
    }
  }

  private static void requireRegular(Path p, Path shown, LinkOption... options) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, options);
    if (a.isRegularFile()) {
      return;
    }
    throw new HostFileException(
        "NOT_REGULAR", shown + " is " + kind(p, a, options) + ", not a regular file; not read");
  }

  private static String kind(Path p, BasicFileAttributes a, LinkOption... options) {
    if (a.isDirectory()) {
      return "a directory";
    }
    if (a.isSymbolicLink()) {
      return "a symlink";
    }
    try {
      int type = ((Integer) Files.getAttribute(p, "unix:mode", options)) & 0170000;
      return switch (type) {
        case 0010000 -> "a FIFO";
        case 0140000 -> "a socket";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        default -> "of file type " + Integer.toOctalString(type);
      };
    } catch (IOException | RuntimeException e) {
      return "a FIFO, socket or device";
    }
  }

  private static Native load() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    int noFollow =
        switch (arch) {
          case "amd64", "x86_64" -> 0x20000;
          case "aarch64", "arm64" -> 0x8000;
          default -> -1;
        };
    if (!os.contains("linux") || noFollow < 0 || !Files.isDirectory(Path.of("/proc/self/fd"))) {
      return null;
    }
    try {
      OpenCalls libc = LibraryLoader.create(OpenCalls.class).failImmediately().load("c");
      return new Native(libc, Runtime.getRuntime(libc), noFollow);
    } catch (Throwable t) {
      return null;
    }
  }

  private record Native(OpenCalls libc, Runtime runtime, int noFollow) {}
}
