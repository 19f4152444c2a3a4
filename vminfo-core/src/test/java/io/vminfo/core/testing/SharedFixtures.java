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

  /**
   * A fixture file the calling test cannot do without: skipped with {@link #skipMessage} when
   * absent, failed instead under CI (see {@link Prerequisites}).
   */
  public static Path require(String relative, String what) {
    Optional<Path> file = file(relative);
    Prerequisites.require(file.isPresent(), skipMessage(what) + " (missing: " + relative + ")");
    return file.orElseThrow();
  }

  /**
   * The fixtures directory itself, required as {@link #require(String, String)} requires a file.
   */
  public static Path requireDir(String what) {
    Optional<Path> dir = dir();
    Prerequisites.require(dir.isPresent(), skipMessage(what));
    return dir.orElseThrow();
  }

  /** The message tests print (and pass to JUnit's assumptions) when the fixtures are missing. */
  public static String skipMessage(String what) {
    return "SKIPPED "
        + what
        + ": ../shared/fixtures not found beside the checkout"
        + " (set -Dvminfo.repo.root to the checkout root)";
  }
}
