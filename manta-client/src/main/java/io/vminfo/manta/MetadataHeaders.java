package io.vminfo.manta;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The headers a metadata update may set, checked before anything is sent. */
final class MetadataHeaders {
  private static final Set<String> OTHERS =
      Set.of("content-type", "role-tag", "cache-control", "surrogate-key", "content-disposition");

  /** muskie's bound on the total size of {@code m-*} values. */
  private static final int MAX_METADATA_BYTES = 4 * 1024;

  private MetadataHeaders() {}

  static Map<String, String> check(Map<String, String> headers) {
    Objects.requireNonNull(headers, "headers");
    Map<String, String> out = new LinkedHashMap<>();
    int metaBytes = 0;
    for (Map.Entry<String, String> e : headers.entrySet()) {
      String k = Objects.requireNonNull(e.getKey(), "header name").trim().toLowerCase(Locale.ROOT);
      String v = Objects.requireNonNull(e.getValue(), "value of " + k);
      boolean meta = k.startsWith("m-") && k.length() > 2;
      if (!meta && !OTHERS.contains(k) && !k.startsWith("access-control-")) {
        throw new IllegalArgumentException(
            "a metadata update sets m-* headers, content-type, role-tag, "
                + "cache-control, surrogate-key, content-disposition or access-control-*, not "
                + k);
      }
      if (!k.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
        throw new IllegalArgumentException("invalid header name: " + k);
      }
      if (v.chars().anyMatch(c -> c < 32 && c != '\t' || c == 127)) {
        throw new IllegalArgumentException("value of " + k + " has control characters");
      }
      if (meta) {
        metaBytes += v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (metaBytes > MAX_METADATA_BYTES) {
          throw new IllegalArgumentException(
              "m-* metadata over " + MAX_METADATA_BYTES + " bytes: Manta would drop some of it");
        }
      }
      out.put(k, v);
    }
    return out;
  }
}
