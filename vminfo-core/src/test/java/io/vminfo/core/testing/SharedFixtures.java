package io.vminfo.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds {@code ../shared/fixtures} (read-only reference data beside the checkout). Tests that use
 * it must say clearly when it is absent and they are skipped.
 */
public final class SharedFixtures {
  private SharedFixtures() {}

  /** The fixtures directory, if present. */
  public static Optional<Path> dir() {
    String root = System.getProperty("vminfo.repo.root");
    Path start = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("../shared/fixtures").normalize();
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
      Path sibling = p.resolve("shared/fixtures");
      if (Files.isDirectory(sibling) && Files.exists(p.resolve("shared/DESIGN.md"))) {
        return Optional.of(sibling);
      }
    }
    return Optional.empty();
  }

  /** A file under the fixtures directory, if the directory and the file exist. */
  public static Optional<Path> file(String relative) {
    return dir().map(d -> d.resolve(relative)).filter(Files::isRegularFile);
  }

  /** The message tests print (and pass to JUnit's assumptions) when the fixtures are missing. */
  public static String skipMessage(String what) {
    return "SKIPPED " + what + ": ../shared/fixtures not found beside the checkout"
        + " (set -Dvminfo.repo.root to the checkout root)";
  }
}
