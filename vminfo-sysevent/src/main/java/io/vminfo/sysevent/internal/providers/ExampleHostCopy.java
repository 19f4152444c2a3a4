package io.vminfo.sysevent.internal.providers;

import io.vminfo.sysevent.ExampleHost;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writable copy of the bundled example SmartOS host, {@code <state_dir>/example-host}. It is
 * written once: an existing copy is kept as it is, so a user's edits survive restarts (delete the
 * directory to get a fresh one). The copy is made in a hidden temporary directory and renamed into
 * place, so a crash while copying never leaves a half tree that would be kept from then on.
 */
public final class ExampleHostCopy {
  public static final String DIR = "example-host";
  private static final String TEMP_PREFIX = ".example-host-";
  private static final Logger log = LoggerFactory.getLogger(ExampleHostCopy.class);

  private ExampleHostCopy() {}

  /** The copy under {@code stateDir}, made first if there is none. */
  public static Path ensure(Path stateDir) throws IOException {
    Path target = stateDir.resolve(DIR);
    Files.createDirectories(stateDir);
    removeLeftovers(stateDir);
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      log.info("example host: using the existing copy in {} (delete it for a fresh one)", target);
      return target;
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          target
              + " exists but is not a directory; move it away so the example"
              + " host can be copied there");
    }
    Path tmp = stateDir.resolve(TEMP_PREFIX + UUID.randomUUID() + ".tmp");
    try {
      ExampleHost.copyTo(tmp);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
    } finally {
      deleteTree(tmp);
    }
    log.info("example host: copied the bundled SmartOS example host to {}", target);
    return target;
  }

  private static void removeLeftovers(Path stateDir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(stateDir, TEMP_PREFIX + "*.tmp")) {
      for (Path p : s) {
        deleteTree(p);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
