package io.vminfo.ittests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The unpacked vminfo distribution ({@code bin/vminfod}, {@code lib/}, {@code etc/}) that {@link
 * AgentProcess} runs. Built by the {@code distribution} module into {@code
 * distribution/target/vminfo}; an installed copy ({@code /opt/vminfo}) works the same.
 */
public final class AgentDistribution {
  /** System property naming the distribution directory explicitly. */
  public static final String PROPERTY = "vminfo.distribution";

  /** System property the build sets to the repository root (see the root POM's failsafe config). */
  public static final String REPO_ROOT_PROPERTY = "vminfo.repo.root";

  private static final Path IN_REPO = Path.of("distribution", "target", "vminfo");

  private final Path home;

  private AgentDistribution(Path home) {
    this.home = home;
  }

  /**
   * A distribution at {@code home}; fails fast when {@code bin/vminfod} or {@code lib/} is missing.
   */
  public static AgentDistribution at(Path home) throws IOException {
    Objects.requireNonNull(home, "home");
    Path h = home.toAbsolutePath().normalize();
    if (!Files.isExecutable(h.resolve("bin/vminfod"))) {
      throw new IOException(
          h
              + " is no vminfo distribution: bin/vminfod is missing or not"
              + " executable (build it with ./mvnw -B package -DskipTests)");
    }
    if (!Files.isDirectory(h.resolve("lib"))) {
      throw new IOException(h + " is no vminfo distribution: lib/ is missing");
    }
    return new AgentDistribution(h);
  }

  /**
   * Finds the distribution: the {@value #PROPERTY} system property, else {@code
   * <vminfo.repo.root>/distribution/target/vminfo}, else the first {@code
   * distribution/target/vminfo} found walking up from the working directory (the it-tests module
   * directory when Maven runs the tests).
   */
  public static AgentDistribution locate() throws IOException {
    List<Path> tried = new ArrayList<>();
    Optional<String> explicit =
        Optional.ofNullable(System.getProperty(PROPERTY)).filter(s -> !s.isBlank());
    if (explicit.isPresent()) {
      return at(Path.of(explicit.get()));
    }
    Optional<String> repo =
        Optional.ofNullable(System.getProperty(REPO_ROOT_PROPERTY)).filter(s -> !s.isBlank());
    if (repo.isPresent()) {
      Path candidate = Path.of(repo.get()).resolve(IN_REPO);
      tried.add(candidate);
      if (Files.isDirectory(candidate)) {
        return at(candidate);
      }
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(IN_REPO);
      tried.add(candidate);
      if (Files.isDirectory(candidate)) {
        return at(candidate);
      }
    }
    throw new IOException(
        "no vminfo distribution found (tried "
            + tried
            + "); build it with"
            + " ./mvnw -B package -DskipTests, or set -D"
            + PROPERTY
            + "=<dir>");
  }

  public Path home() {
    return home;
  }

  /** {@code bin/vminfod}, the agent's start script. */
  public Path vminfod() {
    return home.resolve("bin/vminfod");
  }

  /** Whether {@code lib/} holds a jar whose name starts with {@code prefix}. */
  public boolean hasLibrary(String prefix) throws IOException {
    try (var s = Files.list(home.resolve("lib"))) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
    }
  }

  @Override
  public String toString() {
    return home.toString();
  }
}
