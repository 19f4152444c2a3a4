package io.vminfo.manta.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.vminfo.core.json.HardenedJson;
import io.vminfo.manta.ListOptions;
import io.vminfo.manta.MantaEntry;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.MantaListPage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Directory listings: the request URI of a page, the page's body (one JSON entry a line), and
 * Manta's inclusive markers (the next page starts at the last name, which then comes twice).
 */
public final class Paging {
  /** A listing page larger than this is refused rather than buffered. */
  public static final long MAX_PAGE_BYTES = 32L * 1024 * 1024;

  // Manta's answers are untrusted: bounded nesting, strings and numbers; a key twice keeps the
  // last, as node-manta's JSON.parse does
  private static final ObjectMapper JSON = HardenedJson.UNTRUSTED.lastDuplicateKeyWins().mapper();

  private Paging() {}

  /** The request URI of one page of {@code encodedDir}. */
  public static String uri(String encodedDir, ListOptions options) {
    StringBuilder uri = new StringBuilder(encodedDir).append("?limit=").append(options.limit());
    options.marker().ifPresent(m -> uri.append("&marker=").append(MantaPaths.encodeQueryValue(m)));
    if (options.byMtime()) {
      uri.append("&sort=mtime");
    }
    if (options.reverse()) {
      uri.append("&sort_order=reverse");
    }
    return uri.toString();
  }

  /**
   * Adds the page's new entries to {@code into} and returns the options of the next page, or empty
   * at the end. {@code seen} holds names already returned at the marker position.
   */
  public static Optional<ListOptions> next(
      ListOptions current, MantaListPage page, List<MantaEntry> into, Set<String> seen) {
    List<MantaEntry> entries = page.entries();
    for (MantaEntry e : entries) {
      if (!seen.contains(e.name())) {
        into.add(e);
      }
    }
    if (entries.size() < current.limit() || entries.isEmpty()) {
      return Optional.empty();
    }
    MantaEntry last = entries.get(entries.size() - 1);
    String marker = current.byMtime() ? last.mtime().toString() : last.name();
    if (current.byMtime() && current.marker().equals(Optional.of(marker))) {
      // The whole page shares the marker's mtime, so the same marker would fetch the
      // same page again. A bigger page may reach the next mtime; at Manta's maximum
      // nothing can (node-manta fails here too), and a silently short listing is worse.
      if (current.limit() < ListOptions.MAX_LIMIT) {
        return Optional.of(current.withLimit(ListOptions.MAX_LIMIT));
      }
      throw new MantaException(
          0,
          MantaException.CANNOT_PAGE,
          "more than "
              + current.limit()
              + " entries share the mtime "
              + marker
              + "; Manta cannot page past them when"
              + " listing by mtime (list by name instead)",
          Optional.empty(),
          false,
          null);
    }
    if (!current.marker().equals(Optional.of(marker))) {
      seen.clear();
    }
    for (MantaEntry e : entries) {
      String key = current.byMtime() ? e.mtime().toString() : e.name();
      if (key.equals(marker)) {
        seen.add(e.name());
      }
    }
    return Optional.of(current.withMarker(marker));
  }

  /** The entries of a listing body: one JSON object a line, blank lines skipped. */
  public static List<MantaEntry> parseEntries(byte[] body, String requestId) {
    List<MantaEntry> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        if (i > start) {
          out.add(parseEntry(body, start, i - start, requestId));
        }
        start = i + 1;
      }
    }
    return out;
  }

  private static MantaEntry parseEntry(byte[] body, int off, int len, String requestId) {
    try {
      JsonNode n = JSON.readTree(body, off, len);
      if (!n.hasNonNull("name") || !n.hasNonNull("type")) {
        throw new IOException("entry without name or type");
      }
      boolean dir = "directory".equals(n.get("type").asText());
      return new MantaEntry(
          n.get("name").asText(),
          dir,
          n.path("size").asLong(0),
          text(n, "etag"),
          text(n, "contentType"),
          text(n, "contentMD5"),
          Instant.parse(n.path("mtime").asText("1970-01-01T00:00:00Z")),
          n.hasNonNull("durability")
              ? OptionalInt.of(n.get("durability").asInt())
              : OptionalInt.empty());
    } catch (IOException | RuntimeException e) {
      throw new MantaException(
          200,
          MantaException.BAD_RESPONSE,
          "malformed directory entry: " + e.getMessage(),
          Optional.of(requestId),
          false,
          e);
    }
  }

  private static Optional<String> text(JsonNode n, String field) {
    return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
  }

  /** Refuses an answer that is not a directory listing; throws the MantaException to send. */
  public static void checkDirectory(String path, int status, String contentType, String reqId) {
    String type = contentType == null ? "" : contentType;
    if (!type.toLowerCase(Locale.ROOT).contains("type=directory")) {
      throw new MantaException(
          status,
          "NotADirectory",
          path + " is not a directory",
          Optional.ofNullable(reqId),
          false,
          null);
    }
  }

  /** Collects a listing page, refusing responses that are not directories. */
  public static final class DirectorySink implements ResponseSink<byte[]> {
    private final String path;
    private final ResponseSink<byte[]> buffer = Sinks.buffer(MAX_PAGE_BYTES);

    public DirectorySink(String path) {
      this.path = path;
    }

    @Override
    public void onHeaders(HttpResponse response, Flow flow) {
      checkDirectory(
          path,
          response.status().code(),
          response.headers().get("content-type"),
          response.headers().get("x-request-id"));
      buffer.onHeaders(response, flow);
    }

    @Override
    public boolean onData(ByteBuf data) {
      return buffer.onData(data);
    }

    @Override
    public byte[] onComplete(HttpResponse response) {
      return buffer.onComplete(response);
    }
  }
}
