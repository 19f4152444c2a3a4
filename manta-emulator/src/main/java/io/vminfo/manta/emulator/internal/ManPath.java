package io.vminfo.manta.emulator.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A decoded, normalised Manta path ({@code /login/stor/a/b}) and where it sits in the tree.
 * Decoding is strict: bad percent escapes, invalid UTF-8, NUL, "." and ".." segments are rejected,
 * and '+' is a literal plus (paths are not form-encoded).
 */
public final class ManPath {
  /** The top-level directories of every account, as muskie's storagePaths. */
  static final Set<String> STORAGE_ROOTS = Set.of("jobs", "public", "reports", "stor");

  static final Set<String> WRITABLE_ROOTS = Set.of("public", "stor");
  static final int MAX_NAME_BYTES = 254;

  private final List<String> segments;
  private final String path;

  private ManPath(List<String> segments) {
    this.segments = List.copyOf(segments);
    this.path = "/" + String.join("/", segments);
  }

  /** Parses the raw (still percent-encoded) request path. */
  static ManPath parse(String rawPath, String callerLogin) {
    String decoded = percentDecode(rawPath);
    List<String> segs = new ArrayList<>();
    for (String s : decoded.split("/")) {
      if (s.isEmpty()) {
        continue;
      }
      if (s.equals(".")
          || s.equals("..")
          || s.indexOf('\0') >= 0
          || s.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        throw MantaError.invalidPath(decoded);
      }
      segs.add(s);
    }
    if (segs.isEmpty()) {
      throw MantaError.resourceNotFound("/");
    }
    if (segs.get(0).equals("~~")) {
      if (callerLogin == null) {
        throw MantaError.invalidPath(decoded);
      }
      segs.set(0, callerLogin);
    }
    return new ManPath(segs);
  }

  static ManPath of(String normalized) {
    List<String> segs = new ArrayList<>();
    for (String s : normalized.split("/")) {
      if (!s.isEmpty()) {
        segs.add(s);
      }
    }
    return new ManPath(segs);
  }

  String login() {
    return segments.get(0);
  }

  int depth() {
    return segments.size();
  }

  List<String> segments() {
    return segments;
  }

  String name() {
    return segments.get(segments.size() - 1);
  }

  boolean isAccountRoot() {
    return segments.size() == 1;
  }

  /** {@code /login/stor}, {@code /login/public}, ... */
  boolean isStorageRoot() {
    return segments.size() == 2 && STORAGE_ROOTS.contains(segments.get(1));
  }

  boolean isKnownTree() {
    return segments.size() >= 2 && STORAGE_ROOTS.contains(segments.get(1));
  }

  boolean isWritableTree() {
    return segments.size() >= 2 && WRITABLE_ROOTS.contains(segments.get(1));
  }

  boolean isPublic() {
    return segments.size() >= 2 && segments.get(1).equals("public");
  }

  ManPath parent() {
    return new ManPath(segments.subList(0, segments.size() - 1));
  }

  ManPath child(String name) {
    List<String> s = new ArrayList<>(segments);
    s.add(name);
    return new ManPath(s);
  }

  @Override
  public String toString() {
    return path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ManPath && ((ManPath) o).path.equals(path);
  }

  @Override
  public int hashCode() {
    return path.hashCode();
  }

  static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  static String percentDecode(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw MantaError.invalidPath(raw);
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw MantaError.invalidPath(raw);
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x100) {
        // The request line arrives as ISO-8859-1: each char is one raw byte.
        bytes.write(c);
      } else {
        throw MantaError.invalidPath(raw);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw MantaError.invalidPath(raw);
    }
  }
}
