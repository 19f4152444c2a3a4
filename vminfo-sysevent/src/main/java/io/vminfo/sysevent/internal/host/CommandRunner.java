package io.vminfo.sysevent.internal.host;

import io.vminfo.core.internal.NamedThreads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a host tool ({@code zoneadm}, {@code zfs}, {@code kstat}) with a timeout and an output cap;
 * a tool that hangs is killed (with its children) and reported, never waited on forever.
 */
public final class CommandRunner {
  private static final ExecutorService IO =
      Executors.newCachedThreadPool(NamedThreads.daemon("vminfo-command-io"));

  private final Duration timeout;
  private final int maxOutputBytes;

  public CommandRunner(Duration timeout, int maxOutputBytes) {
    this.timeout = Args.positive(timeout, "timeout");
    this.maxOutputBytes = maxOutputBytes;
  }

  /** Whether {@code binary} exists and is executable. */
  public static boolean usable(Path binary) {
    return Files.isRegularFile(binary) && Files.isExecutable(binary);
  }

  /** Output of a finished command. */
  public record Result(int exitCode, String stdout, String stderr) {}

  public Result run(Path binary, String... args) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(binary.toString());
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), IO);
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), IO);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(p);
        throw new IOException(binary.getFileName() + " did not finish within " + timeout.toMillis()
            + " ms; killed");
      }
      byte[] stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      byte[] stderr = err.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (stdout.length > maxOutputBytes) {
        throw new IOException(binary.getFileName() + " printed more than " + maxOutputBytes + " bytes");
      }
      return new Result(p.exitValue(), new String(stdout, StandardCharsets.UTF_8),
          new String(stderr, StandardCharsets.UTF_8).trim());
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + binary.getFileName(), e);
    } catch (ExecutionException | TimeoutException e) {
      kill(p);
      throw new IOException("reading the output of " + binary.getFileName() + " failed: " + e, e);
    }
  }

  private byte[] drain(InputStream in) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (buf.size() <= maxOutputBytes) {
          buf.write(chunk, 0, n);
        }
      }
    } catch (IOException e) {
      // the process was killed or closed its output; keep what we have
    }
    return buf.toByteArray();
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }
}
