package io.vminfo.sysevent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.HostFiles;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: a FIFO named like a zone XML blocked {@code open(2)} forever and with it the whole
 * initial load. Every kind of file that is not a regular file is refused at once with {@code
 * NOT_REGULAR}, through {@code read} and {@code readPrefix} alike; the hang guard is a generous
 * bound on a future, not a timing assertion.
 */
class NonRegularHostFilesTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);

  @TempDir Path tmp;

  private Path root() throws Exception {
    return Files.createDirectories(tmp.resolve("host/etc/zones")).getParent().getParent();
  }

  private static void assertRefusedPromptly(HostFiles files, Path p, String kind) throws Exception {
    for (boolean prefix : new boolean[] {false, true}) {
      CompletableFuture<Throwable> attempt =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  if (prefix) {
                    files.readPrefix(p, 16);
                  } else {
                    files.read(p, 1024);
                  }
                  return null;
                } catch (Throwable t) {
                  return t;
                }
              });
      Throwable t = attempt.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
      assertThat(t)
          .as("%s via %s", kind, prefix ? "readPrefix" : "read")
          .isInstanceOfSatisfying(
              HostFileException.class,
              e -> {
                assertThat(e.code()).isEqualTo("NOT_REGULAR");
                assertThat(e.getMessage()).contains(p.getFileName().toString()).contains(kind);
              });
    }
  }

  @Test
  void aFifoIsRefusedWithoutBlocking() throws Exception {
    Path root = root();
    Path fifo = root.resolve("etc/zones/00000000-0000-4000-8000-000000000001.xml");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assumeThat(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0).as("mkfifo works").isTrue();
    assertRefusedPromptly(new HostFiles(root), fifo, "FIFO");
  }

  @Test
  void aSocketIsRefused() throws Exception {
    Path root = root();
    Path sock = root.resolve("etc/zones/s.xml");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      assertRefusedPromptly(new HostFiles(root), sock, "socket");
    }
  }

  @Test
  void aDirectoryIsRefused() throws Exception {
    Path root = root();
    Path dir = Files.createDirectories(root.resolve("etc/zones/d.xml"));
    assertRefusedPromptly(new HostFiles(root), dir, "directory");
  }

  @Test
  void aDeviceIsRefusedEvenThroughASymlinkInsideTheRoot() throws Exception {
    // /dev/zero would never end and /dev/tty can block: a device node in the tree (here the real
    // root, as on a host) is refused, also when a zone XML name links to it.
    HostFiles host = new HostFiles(Path.of("/"));
    assertRefusedPromptly(host, Path.of("/dev/zero"), "character device");
    assertRefusedPromptly(host, Path.of("/dev/null"), "device");
  }

  @Test
  void aRegularFileAndASymlinkToOneInsideTheRootAreStillRead() throws Exception {
    Path root = root();
    Path xml = Files.writeString(root.resolve("etc/zones/z.xml"), "<zone/>");
    Files.createSymbolicLink(root.resolve("etc/zones/l.xml"), xml);
    HostFiles files = new HostFiles(root);
    assertThat(new String(files.read(xml, 1024))).isEqualTo("<zone/>");
    assertThat(new String(files.read(root.resolve("etc/zones/l.xml"), 1024))).isEqualTo("<zone/>");
    assertThat(new String(files.readPrefix(xml, 3))).isEqualTo("<zo");
    Files.writeString(xml, "x".repeat(2000));
    assertThatThrownBy(() -> files.read(xml, 1024))
        .isInstanceOfSatisfying(
            HostFileException.class, e -> assertThat(e.code()).isEqualTo("TOO_LARGE"));
  }
}
