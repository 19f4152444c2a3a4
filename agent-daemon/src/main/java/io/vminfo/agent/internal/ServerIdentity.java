package io.vminfo.agent.internal;

import io.vminfo.core.text.Uuids;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The server uuid when the backend does not know one (SmartOS sysinfo does; a libvirt host does
 * not): generated once and kept in {@code <state_dir>/server_uuid}, written atomically (temp file,
 * fsync, rename, fsync of the directory) so a crash never leaves a half-written id. A corrupt file
 * is an error, not silently replaced: usage records are keyed by this id.
 */
public final class ServerIdentity {
  public static final String FILE = "server_uuid";

  private ServerIdentity() {}

  /** The backend's uuid if it has one, else the persisted (or newly generated) one. */
  public static String resolve(Optional<String> fromBackend, Path stateDir) throws IOException {
    if (fromBackend.isPresent()) {
      return fromBackend.get().toLowerCase(Locale.ROOT);
    }
    return persisted(stateDir);
  }

  /**
   * The persisted uuid, generated on first use. Backends get it as their fallback, so the VMs'
   * {@code server_uuid} and the usage records' agree when the host cannot tell its own.
   */
  public static String persisted(Path stateDir) throws IOException {
    Path file = stateDir.resolve(FILE);
    try (InputStream in = Files.newInputStream(file)) {
      String text =
          new String(in.readNBytes(128), StandardCharsets.US_ASCII)
              .strip()
              .toLowerCase(Locale.ROOT);
      if (!Uuids.isLowerCaseUuid(text)) {
        throw new IOException(
            file
                + " does not hold a server uuid; fix or delete it (a new"
                + " uuid makes this host look like a different server in usage records)");
      }
      return text;
    } catch (NoSuchFileException e) {
      String uuid = UUID.randomUUID().toString();
      write(file, uuid);
      return uuid;
    }
  }

  private static void write(Path file, String uuid) throws IOException {
    Path dir = file.getParent();
    Path tmp = Files.createTempFile(dir, FILE, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap((uuid + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // Some file systems cannot fsync a directory; the rename is still atomic.
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
