package io.vminfo.agent.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One agent per state (or spool) directory. Two agents appending to the same hour file tear its
 * lines, so the second one must not start: it takes an exclusive lock on {@code
 * <dir>/.vminfod.lock} (an OS lock, released by the kernel when the process dies, so a SIGKILLed
 * agent never leaves a stale lock) and writes its pid there for the next one to name.
 */
public final class DirectoryLock implements AutoCloseable {
  public static final String FILE_NAME = ".vminfod.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * The lock on {@code dir} ({@code what} names it in the error), or an error naming the holder.
   */
  public static DirectoryLock acquire(Path dir, String what) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE_NAME);
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this very process (another agent in the same JVM)
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      String holder = holder(ch);
      ch.close();
      throw inUse(dir, what, holder);
    }
    try {
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      ch.force(true);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new DirectoryLock(ch, lock);
  }

  /**
   * Throws when another agent holds {@code dir}'s lock; does nothing when the lock file is absent
   * or cannot be opened for writing (then the later {@link #acquire} tells what is wrong).
   */
  public static void checkNotInUse(Path dir, String what) throws DirectoryInUseException {
    Path file = dir.resolve(FILE_NAME);
    String holder = null;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        holder = holder(ch);
      } else {
        lock.release();
      }
    } catch (IOException e) {
      return;
    }
    if (holder != null) {
      throw inUse(dir, what, holder);
    }
  }

  private static DirectoryInUseException inUse(Path dir, String what, String holder) {
    return new DirectoryInUseException(
        what
            + " "
            + dir
            + " is in use by another vminfod ("
            + holder
            + "); one agent per directory: stop it, or give this one its own state_dir");
  }

  private static String holder(FileChannel ch) {
    try {
      ByteBuffer buf = ByteBuffer.allocate(32);
      ch.read(buf, 0);
      String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
      return pid.matches("[0-9]{1,10}") ? "pid " + pid : "pid unknown";
    } catch (IOException e) {
      return "pid unreadable: " + e.getMessage();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }

  /** Another agent holds the directory. */
  public static final class DirectoryInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    DirectoryInUseException(String message) {
      super(message);
    }
  }
}
