package io.vminfo.agent.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * A secret kept in a file named by a setting (e.g. {@code alarms.smtp_password_file}): its text
 * without one trailing newline (what {@code echo pw > file} leaves), never empty, and a warning
 * when other users can read it. The secret itself appears in no message.
 */
public record SecretFile(String secret, Optional<String> warning) {
  @Override
  public String toString() {
    return "SecretFile[secret=(hidden), warning=" + warning + "]";
  }

  public static SecretFile read(Path file, String setting) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException(setting + " " + file + " cannot be read: " + e, e);
    }
    String secret = text.replaceFirst("\\r?\\n$", "");
    if (secret.isEmpty()) {
      throw new IOException(setting + " " + file + " is empty");
    }
    return new SecretFile(secret, readableByOthers(file, setting));
  }

  private static Optional<String> readableByOthers(Path file, String setting) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Optional.empty();
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
    if (!mode.contains(PosixFilePermission.GROUP_READ)
        && !mode.contains(PosixFilePermission.OTHERS_READ)) {
      return Optional.empty();
    }
    return Optional.of(
        setting
            + " "
            + file
            + " is readable by other users ("
            + PosixFilePermissions.toString(mode)
            + "); restrict it with `chmod 600 "
            + file
            + "`");
  }
}
