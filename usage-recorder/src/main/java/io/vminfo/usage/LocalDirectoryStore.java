package io.vminfo.usage;

import io.vminfo.usage.internal.Durable;
import io.vminfo.usage.internal.FileChannels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * The default {@link ObjectStore}: a directory on a local or mounted file system. Remote path
 * {@code /a/b/c.log.gz} is stored at {@code <root>/a/b/c.log.gz}; with the default template that is
 * {@code <root>/<login>/stor/usage/YYYY/MM/DD/HH/<server_uuid>.log.gz}.
 *
 * <p>Writes are atomic: the bytes go to a hidden temp file in the target directory ({@code
 * .vminfo-upload-*.tmp}), are forced to disk and checked against the MD5 the caller sent, then
 * renamed over the target, and the directory is forced. A reader never sees a partial object; a put
 * interrupted by a crash can leave a temp file behind, which is never mistaken for an object.
 * Remote paths that would leave the root ({@code ..}, symlinks pointing out) are refused.
 */
public final class LocalDirectoryStore implements ObjectStore {
  static final String TEMP_PREFIX = ".vminfo-upload-";

  private final Path root;

  public LocalDirectoryStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** Where {@code remotePath} is (or would be) stored, after validating it. */
  public Path resolve(String remotePath) {
    Objects.requireNonNull(remotePath, "remotePath");
    if (!remotePath.startsWith("/")) {
      throw new IllegalArgumentException("remote path must be absolute: \"" + remotePath + "\"");
    }
    Path p = root;
    for (String segment : remotePath.substring(1).split("/", -1)) {
      if (segment.isEmpty()
          || segment.equals(".")
          || segment.equals("..")
          || segment.indexOf('\0') >= 0
          || segment.indexOf('\\') >= 0
          || segment.startsWith(TEMP_PREFIX)) {
        throw new IllegalArgumentException(
            "remote path has an unsafe segment \"" + segment + "\": \"" + remotePath + "\"");
      }
      p = p.resolve(segment);
    }
    Path normalized = p.normalize();
    if (!normalized.startsWith(root) || normalized.equals(root)) {
      throw new IllegalArgumentException(
          "remote path leaves the store root: \"" + remotePath + "\"");
    }
    return normalized;
  }

  @Override
  public StoredObject put(Path localFile, String remotePath, String md5Base64)
      throws ObjectStoreException {
    Objects.requireNonNull(localFile, "localFile");
    Objects.requireNonNull(md5Base64, "md5Base64");
    Path target;
    try {
      target = resolve(remotePath);
      byte[] md5 = Base64.getDecoder().decode(md5Base64);
      if (md5.length != 16) {
        throw new IllegalArgumentException("not a base64 MD5: \"" + md5Base64 + "\"");
      }
    } catch (IllegalArgumentException e) {
      throw ObjectStoreException.permanent(e.getMessage(), e);
    }
    Path dir = target.getParent();
    Path tmp = dir.resolve(TEMP_PREFIX + UUID.randomUUID() + ".tmp");
    try {
      Durable.createDirectories(root);
      // Check before creating anything below the root (a symlink could point elsewhere), and
      // again after, in case one appeared in between.
      requireInside(existingAncestor(dir), remotePath);
      Durable.createDirectories(dir);
      requireInside(dir, remotePath);
      long bytes = 0;
      MessageDigest digest = md5();
      try (InputStream in = Files.newInputStream(localFile);
          FileChannel out =
              FileChannels.DEFAULT.open(
                  tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          digest.update(buf, 0, n);
          Durable.writeFully(out, ByteBuffer.wrap(buf, 0, n), bytes);
          bytes += n;
        }
        out.force(true);
      }
      String computed = Base64.getEncoder().encodeToString(digest.digest());
      if (!computed.equals(md5Base64)) {
        Files.deleteIfExists(tmp);
        throw ObjectStoreException.retryable(
            "content MD5 mismatch for "
                + remotePath
                + ": sent "
                + md5Base64
                + ", received bytes hash to "
                + computed,
            null);
      }
      Durable.moveAtomically(tmp, target);
      Durable.fsyncDirectory(dir);
      return new StoredObject(remotePath, computed, bytes);
    } catch (ObjectStoreException e) {
      deleteQuietly(tmp);
      throw e;
    } catch (NoSuchFileException e) {
      deleteQuietly(tmp);
      if (e.getFile() != null && Path.of(e.getFile()).equals(localFile)) {
        throw ObjectStoreException.permanent("local file to upload is missing: " + localFile, e);
      }
      throw ObjectStoreException.retryable("cannot write " + remotePath + ": " + e, e);
    } catch (AccessDeniedException e) {
      deleteQuietly(tmp);
      throw ObjectStoreException.permanent("permission denied writing " + remotePath + ": " + e, e);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw ObjectStoreException.retryable("cannot write " + remotePath + ": " + e, e);
    }
  }

  private void requireInside(Path p, String remotePath) throws IOException, ObjectStoreException {
    if (!p.toRealPath().startsWith(root.toRealPath())) {
      throw ObjectStoreException.permanent(
          "remote path \"" + remotePath + "\" resolves outside the store root (symlink)", null);
    }
  }

  private static Path existingAncestor(Path p) {
    Path at = p;
    while (at != null && !Files.exists(at)) {
      at = at.getParent();
    }
    return at == null ? p.getRoot() : at;
  }

  @Override
  public String describe() {
    return "local directory " + root;
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // A leftover temp file is harmless: it is never taken for an object.
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }
}
