package io.vminfo.agent.internal;

import io.vminfo.agent.AgentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves the agent's writable directories. {@code state_dir} must be writable; only its FHS
 * default ({@code /var/opt/vminfo}) falls back, so a developer can run the agent from a build as an
 * ordinary user: to {@code $XDG_STATE_HOME/vminfo}, else {@code ~/.local/state/vminfo}, else {@code
 * ./.vminfo}.
 */
public final class StateDirectories {
  /** The directories and, when the state dir fell back, why. */
  public record Resolved(
      Path stateDir, Path spoolDir, Path archiveDir, Optional<String> fallback) {}

  private StateDirectories() {}

  public static Resolved resolve(AgentConfig config, Map<String, String> env) throws IOException {
    return resolve(config, env, AgentConfig.DEFAULT_STATE_DIR);
  }

  static Resolved resolve(AgentConfig config, Map<String, String> env, Path fhsDefault)
      throws IOException {
    Path configured = config.stateDir();
    Optional<String> problem = problem(configured);
    Path state = configured;
    Optional<String> fallback = Optional.empty();
    if (problem.isPresent()) {
      if (!configured.equals(fhsDefault)) {
        throw new IOException("state_dir " + configured + " is not usable: " + problem.get());
      }
      List<String> tried = new ArrayList<>();
      tried.add(configured + ": " + problem.get());
      state = null;
      for (Path candidate : fallbacks(env)) {
        Optional<String> p = problem(candidate);
        if (p.isEmpty()) {
          state = candidate;
          break;
        }
        tried.add(candidate + ": " + p.get());
      }
      if (state == null) {
        throw new IOException("no usable state directory: " + String.join("; ", tried));
      }
      fallback =
          Optional.of(
              configured + " is not usable (" + problem.get() + "), using " + state + " instead");
    }
    Path spool = config.spoolDir().orElse(state.resolve("spool"));
    Path archive = config.storageLocalDir().orElse(state.resolve("archive"));
    return new Resolved(state, spool, archive, fallback);
  }

  static List<Path> fallbacks(Map<String, String> env) {
    List<Path> out = new ArrayList<>();
    String xdg = env.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      out.add(Path.of(xdg, "vminfo"));
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
      out.add(Path.of(home, ".local", "state", "vminfo"));
    }
    out.add(Path.of(".vminfo").toAbsolutePath());
    return out;
  }

  private static Optional<String> problem(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
      Files.delete(probe);
      return Optional.empty();
    } catch (IOException | SecurityException e) {
      return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
