package io.vminfo.usage.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The fsync discipline of the spool: data is forced before a rename makes it visible, and the
 * directory is forced after a rename, create or delete so the name survives a power cut too.
 */
public final class Durable {
  private Durable() {}

  /** Forces a directory's entries (new, renamed or deleted names) to stable storage. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Creates {@code dir} and its missing parents (0750, {@link BillingFilePermissions}), forcing
   * each parent whose entries changed.
   */
  public static void createDirectories(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    while (!missing.isEmpty()) {
      Path p = missing.pop();
      try {
        Files.createDirectory(p, BillingFilePermissions.forDirectory(p));
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw e;
        }
      }
      if (p.getParent() != null) {
        fsyncDirectory(p.getParent());
      }
    }
  }

  /** Writes all of {@code data} at {@code position}. */
  public static void writeFully(FileChannel ch, ByteBuffer data, long position) throws IOException {
    long at = position;
    while (data.hasRemaining()) {
      at += ch.write(data, at);
    }
  }

  /**
   * Replaces {@code target} with {@code content} so that a crash leaves either the old or the new
   * content, never a mix: temp file beside it, force, atomic rename, force the directory.
   */
  public static void replaceFile(Path target, byte[] content, FileChannels io) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      try (FileChannel ch =
          io.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(ch, ByteBuffer.wrap(content), 0);
        ch.force(true);
      }
      moveAtomically(tmp, target);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    fsyncDirectory(target.getParent());
  }

  /** Renames atomically, replacing the target (same directory or file system only). */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically", e);
    }
  }

  /** Deletes a file if present and forces its directory; true when something was deleted. */
  public static boolean delete(Path file) throws IOException {
    boolean deleted = Files.deleteIfExists(file);
    if (deleted) {
      fsyncDirectory(file.getParent());
    }
    return deleted;
  }
}
