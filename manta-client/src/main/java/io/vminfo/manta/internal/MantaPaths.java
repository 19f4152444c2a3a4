package io.vminfo.manta.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Manta paths as the client accepts them: absolute ({@code /login/stor/...}) or {@code ~~/...} for
 * the account's own tree. Empty segments collapse; "." and ".." are refused rather than resolved,
 * since a path that climbs is a bug or an attack; every byte outside RFC 3986's unreserved set is
 * percent-encoded (spaces, '%', '+', unicode).
 */
public final class MantaPaths {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private MantaPaths() {}

  public static String normalize(String path, String login) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("Manta path is empty");
    }
    String p = path;
    if (p.equals("~~") || p.startsWith("~~/")) {
      p = "/" + login + p.substring(2);
    }
    if (!p.startsWith("/")) {
      throw new IllegalArgumentException(
          "Manta path must be absolute (/login/stor/...) or start with ~~/: " + path);
    }
    List<String> segs = new ArrayList<>();
    for (String s : p.split("/")) {
      if (s.isEmpty()) {
        continue;
      }
      if (s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException("Manta path must not contain . or .. segments: " + path);
      }
      if (s.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("Manta path must not contain NUL");
      }
      segs.add(s);
    }
    if (segs.isEmpty()) {
      throw new IllegalArgumentException("Manta path names no account: " + path);
    }
    return "/" + String.join("/", segs);
  }

  /** Percent-encodes a normalized path for the request line. */
  public static String encode(String normalized) {
    byte[] b = normalized.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(b.length + 16);
    for (byte x : b) {
      int c = x & 0xff;
      if (c == '/'
          || c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return out.toString();
  }

  /** Percent-encodes one query parameter value. */
  public static String encodeQueryValue(String v) {
    return encode(v).replace("/", "%2F");
  }

  public static String parent(String normalized) {
    int i = normalized.lastIndexOf('/');
    return i <= 0 ? "/" : normalized.substring(0, i);
  }

  public static String name(String normalized) {
    return normalized.substring(normalized.lastIndexOf('/') + 1);
  }

  public static int depth(String normalized) {
    int n = 0;
    for (int i = 0; i < normalized.length(); i++) {
      if (normalized.charAt(i) == '/') {
        n++;
      }
    }
    return n;
  }

  /**
   * {@code /login} and {@code /login/stor}-style top directories: always there, never created or
   * deleted.
   */
  public static boolean isTop(String normalized) {
    return depth(normalized) <= 2;
  }
}
