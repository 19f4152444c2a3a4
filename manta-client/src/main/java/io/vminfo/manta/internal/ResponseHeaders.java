package io.vminfo.manta.internal;

import io.netty.handler.codec.http.HttpHeaders;
import io.vminfo.manta.MantaObjectInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Reads Manta's response headers into the client's values. */
public final class ResponseHeaders {
  private ResponseHeaders() {}

  /** What a HEAD or GET answer says about the object or directory at {@code path}. */
  public static MantaObjectInfo info(String path, HttpHeaders h) {
    String type = Optional.ofNullable(h.get("content-type")).orElse("application/octet-stream");
    boolean dir = type.toLowerCase(Locale.ROOT).contains("type=directory");
    Map<String, String> meta = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : h) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (k.startsWith("m-")) {
        meta.put(k, e.getValue());
      }
    }
    long size =
        dir ? parseLong(h.get("result-set-size"), 0) : parseLong(h.get("content-length"), 0);
    String dl = h.get("durability-level");
    return new MantaObjectInfo(
        path,
        dir,
        size,
        Optional.ofNullable(h.get("etag")),
        type,
        Optional.ofNullable(h.get("content-md5")),
        lastModified(h),
        dl == null ? OptionalInt.empty() : OptionalInt.of((int) parseLong(dl, 0)),
        meta,
        requestId(h));
  }

  public static Optional<Instant> lastModified(HttpHeaders h) {
    return HttpDates.parse(h.get("last-modified"));
  }

  /** Manta's {@code x-request-id}, or "" (support needs it; an answer without one still counts). */
  public static String requestId(HttpHeaders h) {
    return Optional.ofNullable(h.get("x-request-id")).orElse("");
  }

  public static long parseLong(String v, long dflt) {
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }
}
