package io.vminfo.usage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** MD5 in the form object stores use: base64 of the 16 bytes. */
public final class Md5 {
  private Md5() {}

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }

  public static String ofFile(Path file) throws IOException {
    MessageDigest d = newDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[256 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return Base64.getEncoder().encodeToString(d.digest());
  }

  public static String of(byte[] data) {
    return Base64.getEncoder().encodeToString(newDigest().digest(data));
  }

  /** Whether {@code s} is a base64 MD5 (24 characters, 16 bytes). */
  public static boolean isMd5(String s) {
    if (s == null || s.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(s).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
