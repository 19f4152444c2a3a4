package io.vminfo.ittests.manta;

import io.vminfo.core.testing.Prerequisites;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Joyent's node-manta CLI (npm manta@5.4.2) and npm http-signature@1.4.0, installed once into
 * {@code target/node-peers} and reused by later runs.
 */
final class NodePeers {
  static final String MANTA = "manta@5.4.2";
  static final String HTTP_SIGNATURE = "http-signature@1.4.0";

  final Path dir;

  private NodePeers(Path dir) {
    this.dir = dir;
  }

  /**
   * The installed peers; when they cannot be had, the calling test class is skipped with the reason
   * (printed too, so a CI log shows what was not run).
   */
  static NodePeers installOrSkip(String tests) {
    Result<NodePeers> r = install();
    Prerequisites.require(r.value().isPresent(), "SKIPPED " + tests + ": " + r.reason());
    return r.value().get();
  }

  /** Empty, with the reason, when node or npm is missing or the install fails. */
  static Result<NodePeers> install() {
    if (which("node").isEmpty() || which("npm").isEmpty()) {
      return Result.skip(
          "node and npm are not installed (CI installs them; apt-get install nodejs npm)");
    }
    Path dir = Path.of("target", "node-peers").toAbsolutePath();
    NodePeers peers = new NodePeers(dir);
    if (peers.installed()) {
      return Result.of(peers);
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("package.json"), "{\"name\":\"vminfo-node-peers\",\"private\":true}\n");
      Run r =
          run(
              dir,
              Map.of(),
              300,
              "npm",
              "install",
              // exact versions: npm's cache answers without asking the registry again (a fresh
              // clone's install took 16 s that way against 4.5 s)
              "--prefer-offline",
              "--no-audit",
              "--no-fund",
              "--loglevel=error",
              "--prefix",
              dir.toString(),
              MANTA,
              HTTP_SIGNATURE);
      if (r.exit != 0 || !peers.installed()) {
        return Result.skip(
            "npm install "
                + MANTA
                + " "
                + HTTP_SIGNATURE
                + " failed (exit "
                + r.exit
                + "): "
                + r.err.strip());
      }
    } catch (IOException e) {
      return Result.skip("cannot prepare " + dir + ": " + e.getMessage());
    }
    return Result.of(peers);
  }

  private boolean installed() {
    return version("manta").equals("5.4.2") && version("http-signature").equals("1.4.0");
  }

  private String version(String pkg) {
    Path p = dir.resolve("node_modules").resolve(pkg).resolve("package.json");
    try {
      String json = Files.readString(p);
      int i = json.indexOf("\"version\"");
      int q1 = json.indexOf('"', json.indexOf(':', i) + 1);
      return json.substring(q1 + 1, json.indexOf('"', q1 + 1));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Runs a node-manta command ({@code mls}, {@code mput}, ...). */
  Run cli(Map<String, String> env, String command, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("node");
    cmd.add(dir.resolve("node_modules/manta/bin").resolve(command).toString());
    cmd.addAll(List.of(args));
    return run(dir, env, 60, cmd.toArray(new String[0]));
  }

  /** Runs a node script with this directory's modules on the path, feeding {@code stdin}. */
  Run script(Path script, String stdin) throws IOException {
    return runWithInput(
        dir,
        Map.of("NODE_PATH", dir.resolve("node_modules").toString()),
        60,
        stdin,
        "node",
        script.toString());
  }

  record Run(int exit, String out, String err) {}

  /** Either a value or the reason a test must be skipped. */
  record Result<T>(Optional<T> value, String reason) {
    static <T> Result<T> of(T v) {
      return new Result<>(Optional.of(v), "");
    }

    static <T> Result<T> skip(String why) {
      return new Result<>(Optional.empty(), why);
    }
  }

  static Run run(Path cwd, Map<String, String> env, int timeoutSeconds, String... cmd)
      throws IOException {
    return runWithInput(cwd, env, timeoutSeconds, "", cmd);
  }

  static Run runWithInput(
      Path cwd, Map<String, String> env, int timeoutSeconds, String stdin, String... cmd)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().remove("SSH_AUTH_SOCK");
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
      }
      return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  static Optional<Path> which(String cmd) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, cmd);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
