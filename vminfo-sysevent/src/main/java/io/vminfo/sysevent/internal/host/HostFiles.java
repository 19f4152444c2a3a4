package io.vminfo.sysevent.internal.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Reads files of a host tree mounted at {@code root} (the real host: {@code /}), treating every
 * file as untrusted: paths never leave the root (also not through symlinks), sizes are capped, and
 * files are read with a plain read loop (procfs and sysfs report size 0, which the JDK's {@code
 * readAllBytes} trusts), and only regular files are read, opened so that a FIFO or device cannot
 * block the reader ({@link RegularFileOpener}).
 */
public final class HostFiles {
  private final Path root;
  private final Path realRoot;

  public HostFiles(Path root) {
    this.root = root.toAbsolutePath().normalize();
    Path real;
    try {
      real = this.root.toRealPath();
    } catch (IOException e) {
      real = this.root;
    }
    this.realRoot = real;
  }

  public Path root() {
    return root;
  }

  /**
   * The path of host path {@code hostPath} (absolute on the host, e.g. {@code /etc/zones}) in this
   * tree.
   */
  public Path resolve(String hostPath) throws HostFileException {
    String rel = hostPath.startsWith("/") ? hostPath.substring(1) : hostPath;
    Path p = root.resolve(rel).normalize();
    if (!p.startsWith(root)) {
      throw new HostFileException(
          "PATH_ESCAPE", "path " + hostPath + " leaves the host root " + root);
    }
    return p;
  }

  /** The host path (as the host sees it) of a path in this tree. */
  public String hostPath(Path p) {
    Path rel = root.relativize(p.toAbsolutePath().normalize());
    return "/" + rel.toString().replace('\\', '/');
  }

  /** Reads a whole file, refusing more than {@code maxBytes}. */
  public byte[] read(Path file, int maxBytes) throws IOException {
    Path target = confine(file);
    try (SeekableByteChannel ch = RegularFileOpener.open(target, file);
        InputStream in = Channels.newInputStream(ch)) {
      return readBounded(in, maxBytes, file);
    }
  }

  /** The first {@code n} bytes of a file (fewer when it is shorter); for image headers. */
  public byte[] readPrefix(Path file, int n) throws IOException {
    Path target = confine(file);
    try (SeekableByteChannel ch = RegularFileOpener.open(target, file)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(n);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // keep reading until n bytes or end of file
      }
      return java.util.Arrays.copyOf(buf.array(), buf.position());
    }
  }

  /** Like {@link #read} but empty when the file does not exist. */
  public Optional<byte[]> readIfExists(Path file, int maxBytes) throws IOException {
    try {
      return Optional.of(read(file, maxBytes));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** A small text file (procfs, sysfs, config), UTF-8; empty when it does not exist. */
  public Optional<String> readText(Path file, int maxBytes) throws IOException {
    return readIfExists(file, maxBytes).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /**
   * File attributes (following a symlink only when it stays inside the root); empty when missing.
   */
  public Optional<BasicFileAttributes> attributes(Path file) throws IOException {
    try {
      return Optional.of(
          Files.readAttributes(
              confine(file), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Where {@code file} really is: itself, or its symlink target when that stays inside the root
   * (e.g. {@code /dev/vg0/data} → {@code /dev/dm-3}). Refuses what leaves the root.
   */
  public Path real(Path file) throws IOException {
    return confine(file);
  }

  /**
   * Attributes of the entry itself (a symlink is not followed), for modification times only: no
   * content is read, so the cheaper lexical root check is enough. Empty when missing.
   */
  public Optional<BasicFileAttributes> entryAttributes(Path file) throws IOException {
    Path p = file.toAbsolutePath().normalize();
    if (!p.startsWith(root)) {
      throw new HostFileException("PATH_ESCAPE", p + " is outside the host root " + root);
    }
    try {
      return Optional.of(
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * The file to open for {@code file}: itself, or its symlink target when that stays inside the
   * root. Refuses paths outside the root and symlinks (also in parent directories) that leave it.
   */
  private Path confine(Path file) throws IOException {
    Path p = file.toAbsolutePath().normalize();
    if (!p.startsWith(root)) {
      throw new HostFileException("PATH_ESCAPE", p + " is outside the host root " + root);
    }
    Path parent = p.getParent();
    if (parent != null && !parent.equals(root)) {
      Path realParent;
      try {
        realParent = parent.toRealPath();
      } catch (NoSuchFileException e) {
        throw new NoSuchFileException(p.toString());
      }
      if (!realParent.startsWith(realRoot)) {
        throw new HostFileException(
            "SYMLINK_ESCAPE",
            "refusing "
                + p
                + ": its directory resolves to "
                + realParent
                + ", outside the host root");
      }
      p = realParent.resolve(p.getFileName());
    }
    if (Files.isSymbolicLink(p)) {
      Path real;
      try {
        real = p.toRealPath();
      } catch (NoSuchFileException e) {
        throw new NoSuchFileException(p.toString(), null, "dangling symlink");
      }
      if (!real.startsWith(realRoot)) {
        throw new HostFileException(
            "SYMLINK_ESCAPE", "refusing " + p + ": symlink to " + real + " leaves the host root");
      }
      return real;
    }
    return p;
  }

  private static byte[] readBounded(InputStream in, int maxBytes, Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 8192));
    byte[] chunk = new byte[8192];
    int total = 0;
    int n;
    while ((n = in.read(chunk)) > 0) {
      total += n;
      if (total > maxBytes) {
        throw new HostFileException(
            "TOO_LARGE", file + " is larger than the limit of " + maxBytes + " bytes");
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }
}
