package io.vminfo.manta;

import io.vminfo.manta.internal.PrivateKeyParser;
import io.vminfo.manta.internal.SshPublicKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads private keys (PEM PKCS#1/SEC1/PKCS#8 and OpenSSH format) and reads public keys. */
public final class MantaKeys {
  private static final Logger LOG = LoggerFactory.getLogger(MantaKeys.class);
  private static final long MAX_KEY_FILE = 64 * 1024;

  private MantaKeys() {}

  /**
   * Loads a private key file. Warns (once per load) when the file is readable by group or others,
   * as ssh does, since the key is a credential.
   */
  public static MantaKey load(Path file) {
    try {
      if (Files.size(file) > MAX_KEY_FILE) {
        throw new MantaKeyException(file + " is too large to be a private key");
      }
      warnIfExposed(file);
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      return new MantaKey(PrivateKeyParser.parse(text, file.toString()));
    } catch (IOException e) {
      throw new MantaKeyException("cannot read private key " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a private key from text; {@code source} names it in error messages. */
  public static MantaKey parse(String text, String source) {
    return new MantaKey(PrivateKeyParser.parse(text, source));
  }

  /** Parses an OpenSSH public key line ({@code ssh-rsa AAAA... comment}). */
  public static PublicKey parsePublicKey(String line) {
    try {
      return SshPublicKeys.parseLine(line);
    } catch (IllegalArgumentException e) {
      throw new MantaKeyException(e.getMessage(), e);
    }
  }

  public static String md5Fingerprint(PublicKey key) {
    return SshPublicKeys.md5Fingerprint(key);
  }

  public static String sha256Fingerprint(PublicKey key) {
    return SshPublicKeys.sha256Fingerprint(key);
  }

  /**
   * Finds the private key with the given fingerprint in a directory (like node-manta's search of
   * {@code ~/.ssh}): files with a matching {@code .pub} are checked by their public half first, so
   * unrelated or encrypted keys are not parsed.
   */
  public static Optional<MantaKey> find(Path dir, String fingerprint) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(Files::isRegularFile).sorted().forEach(candidates::add);
    } catch (IOException e) {
      throw new MantaKeyException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    for (Path f : candidates) {
      String name = f.getFileName().toString();
      if (name.endsWith(".pub")
          || name.startsWith("known_hosts")
          || name.equals("config")
          || name.equals("authorized_keys")) {
        continue;
      }
      Path pub = f.resolveSibling(name + ".pub");
      if (Files.isRegularFile(pub)) {
        try {
          if (!SshPublicKeys.matches(fingerprint, parsePublicKey(Files.readString(pub)))) {
            continue;
          }
        } catch (IOException | MantaKeyException e) {
          LOG.debug("skipping unreadable public key {}: {}", pub, e.getMessage());
        }
      }
      try {
        MantaKey key = load(f);
        if (key.matches(fingerprint)) {
          return Optional.of(key);
        }
      } catch (MantaKeyException e) {
        if (Files.isRegularFile(pub)) {
          throw e; // the public half matched: this is the key and it is unusable
        }
        LOG.debug("skipping {}: {}", f, e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * A warning when a private key file is readable by group or others (as ssh refuses such keys).
   */
  public static Optional<String> permissionWarning(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        return Optional.of(
            "private key "
                + file
                + " is readable by other users; restrict it with `chmod 600 "
                + file
                + "`");
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: nothing to check
    }
    return Optional.empty();
  }

  private static void warnIfExposed(Path file) {
    permissionWarning(file).ifPresent(LOG::warn);
  }
}
