package io.vminfo.manta.internal;

import io.vminfo.manta.MantaSigner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Pre-signed URLs as muskie verifies them: the query carries {@code algorithm}, {@code expires}
 * (epoch seconds), {@code keyId} and {@code signature}; the signed text is the sorted methods, the
 * Host, the encoded path and the other parameters sorted and RFC 3986 encoded, one a line.
 */
public final class UrlSigner {
  private UrlSigner() {}

  /**
   * @param base the Manta URL (scheme, host, port)
   * @param methods the methods the URL is good for, e.g. {@code [GET]}
   * @param normalizedPath a path as {@link MantaPaths#normalize} returns it
   */
  public static URI sign(
      URI base,
      String hostHeader,
      MantaSigner signer,
      String keyId,
      List<String> methods,
      String normalizedPath,
      Instant expires) {
    Objects.requireNonNull(signer, "signer");
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("a signed URL needs at least one method");
    }
    List<String> sorted =
        methods.stream().map(m -> m.trim().toUpperCase(java.util.Locale.ROOT)).sorted().toList();
    Map<String, String> params = new TreeMap<>();
    params.put("algorithm", signer.algorithm().toUpperCase(java.util.Locale.ROOT));
    params.put("expires", Long.toString(expires.getEpochSecond()));
    params.put("keyId", keyId);
    if (sorted.size() > 1 || !sorted.get(0).equals("GET")) {
      params.put("method", String.join(",", sorted));
    }
    StringBuilder query = new StringBuilder();
    params.forEach(
        (k, v) -> {
          if (query.length() > 0) {
            query.append('&');
          }
          query.append(rfc3986(k)).append('=').append(rfc3986(v));
        });
    String path = MantaPaths.encode(normalizedPath);
    // Without a method parameter muskie takes the request's own method as the signed one.
    String methodLine = params.containsKey("method") ? String.join(",", sorted) : sorted.get(0);
    String text = methodLine + "\n" + hostHeader + "\n" + path + "\n" + query;
    byte[] sig = signer.sign(text.getBytes(StandardCharsets.UTF_8));
    String url =
        base.getScheme()
            + "://"
            + base.getRawAuthority()
            + path
            + "?"
            + query
            + "&signature="
            + rfc3986(Base64.getEncoder().encodeToString(sig));
    return URI.create(url);
  }

  /** Percent-encodes all but RFC 3986's unreserved characters. */
  static String rfc3986(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
