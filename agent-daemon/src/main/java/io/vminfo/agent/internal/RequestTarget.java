package io.vminfo.agent.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request target split into decoded path segments and query parameters, strictly: segments are
 * split before decoding (so {@code %2F} never becomes a separator), percent-encoding must be
 * well-formed UTF-8, and {@code .} / {@code ..} segments (also encoded), empty segments, control
 * characters and backslashes are refused rather than normalized. In the query, {@code +} is a
 * space, as in forms.
 */
public record RequestTarget(List<String> segments, Map<String, List<String>> params) {
  private static final int MAX_PARAMS = 1000;

  public RequestTarget {
    segments = List.copyOf(segments);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    params.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    params = Collections.unmodifiableMap(copy);
  }

  public static RequestTarget parse(String uri) throws ApiError {
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      throw ApiError.badRequest("the request target must be a path starting with /");
    }
    int hash = uri.indexOf('#');
    if (hash >= 0) {
      uri = uri.substring(0, hash);
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String rawQuery = q < 0 ? "" : uri.substring(q + 1);

    List<String> segments = new ArrayList<>();
    String[] parts = rawPath.substring(1).split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String raw = parts[i];
      boolean last = i == parts.length - 1;
      if (raw.isEmpty()) {
        if (last && i > 0) {
          continue; // one trailing slash is tolerated: /vms/ is /vms
        }
        if (last) {
          continue; // "/" itself
        }
        throw ApiError.badRequest("empty path segment (//) in the request path");
      }
      String seg = decode(raw, false);
      if (seg.equals(".") || seg.equals("..")) {
        throw ApiError.badRequest("path segments . and .. are not allowed");
      }
      for (int j = 0; j < seg.length(); j++) {
        char c = seg.charAt(j);
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
          throw ApiError.badRequest("path segment contains a forbidden character");
        }
      }
      segments.add(seg);
    }

    Map<String, List<String>> params = new LinkedHashMap<>();
    int count = 0;
    if (!rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        if (++count > MAX_PARAMS) {
          throw ApiError.badRequest("too many query parameters");
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
        params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }
    return new RequestTarget(segments, params);
  }

  /** The path as the client sent it, decoded, for messages. */
  public String path() {
    return "/" + String.join("/", segments);
  }

  /** Refuses parameters not in {@code allowed}. */
  public void allowOnly(Set<String> allowed) throws ApiError {
    for (String name : params.keySet()) {
      if (!allowed.contains(name)) {
        throw ApiError.badRequest(
            "unknown query parameter \""
                + shorten(name)
                + "\" for "
                + path()
                + (allowed.isEmpty()
                    ? " (it takes none)"
                    : " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")"));
      }
    }
  }

  /** All values of a parameter, comma-separated values split; each non-empty. */
  public List<String> list(String name) throws ApiError {
    List<String> out = new ArrayList<>();
    for (String v : params.getOrDefault(name, List.of())) {
      for (String part : v.split(",", -1)) {
        if (part.isBlank()) {
          throw ApiError.badRequest("empty value for query parameter \"" + name + "\"");
        }
        out.add(part.strip());
      }
    }
    return out;
  }

  /** The single value of a parameter, if given. */
  public java.util.Optional<String> single(String name) throws ApiError {
    List<String> v = params.get(name);
    if (v == null) {
      return java.util.Optional.empty();
    }
    if (v.size() > 1) {
      throw ApiError.badRequest("query parameter \"" + name + "\" given more than once");
    }
    if (v.get(0).isEmpty()) {
      throw ApiError.badRequest("empty value for query parameter \"" + name + "\"");
    }
    return java.util.Optional.of(v.get(0));
  }

  /** A non-negative integer parameter. */
  public java.util.OptionalLong number(String name, long max) throws ApiError {
    java.util.Optional<String> v = single(name);
    if (v.isEmpty()) {
      return java.util.OptionalLong.empty();
    }
    try {
      long n = Long.parseLong(v.get());
      if (n < 0 || n > max) {
        throw ApiError.badRequest(name + " must be between 0 and " + max);
      }
      return java.util.OptionalLong.of(n);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(
          name + " must be a non-negative integer, got \"" + shorten(v.get()) + "\"");
    }
  }

  public static String shorten(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 100; i++) {
      char c = s.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return s.length() > 100 ? out + "..." : out.toString();
  }

  private static String decode(String raw, boolean plusIsSpace) throws ApiError {
    if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
      return raw;
    }
    ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw ApiError.badRequest("malformed percent-encoding in the request target");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw ApiError.badRequest("malformed percent-encoding in the request target");
        }
        bytes.put((byte) ((hi << 4) | lo));
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.put((byte) ' ');
      } else {
        bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    bytes.flip();
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = utf8.decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw ApiError.badRequest("percent-encoding in the request target is not UTF-8");
    }
  }
}
