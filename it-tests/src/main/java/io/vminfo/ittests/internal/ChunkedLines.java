package io.vminfo.ittests.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an HTTP/1.1 response from a raw socket stream: the status line and headers, then the body
 * as {@code \n}-terminated lines, undoing chunked transfer coding when the server uses it. Lines
 * are bounded ({@code maxLine}); the bytes of a line may span chunks.
 */
public final class ChunkedLines {
  private final InputStream in;
  private final int maxLine;
  private boolean chunked;
  private long chunkLeft;
  private boolean lastChunk;
  private boolean eof;
  private int cutLineBytes;
  private int status;
  private final Map<String, String> headers = new LinkedHashMap<>();

  public ChunkedLines(InputStream in, int maxLine) {
    this.in = in;
    this.maxLine = maxLine;
  }

  /** Reads the status line and headers; returns the status code. */
  public int readHead() throws IOException {
    String statusLine = headerLine();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    status = Integer.parseInt(parts[1]);
    String line;
    while (!(line = headerLine()).isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    chunked =
        header("transfer-encoding")
            .map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
            .orElse(false);
    return status;
  }

  public int status() {
    return status;
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  /** Whether the body ended with the terminating zero-length chunk (a clean end of stream). */
  public boolean sawLastChunk() {
    return lastChunk;
  }

  /** Bytes of an unterminated line a chunked stream was cut in (dropped, not returned). */
  public int cutLineBytes() {
    return cutLineBytes;
  }

  /**
   * The next body line without its {@code \n}, or empty at the end of the body. A final line
   * without {@code \n} is returned as is when the body ended cleanly (a plain body, or the last
   * chunk seen); a chunked stream cut in the middle of a line (a server that drops a slow
   * subscriber mid-write) ends before that line: it is half an event, not one.
   */
  public Optional<String> nextLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    while (true) {
      int b = bodyByte();
      if (b < 0) {
        if (chunked && !lastChunk) {
          cutLineBytes = line.size();
          return Optional.empty();
        }
        return line.size() == 0
            ? Optional.empty()
            : Optional.of(line.toString(StandardCharsets.UTF_8));
      }
      if (b == '\n') {
        return Optional.of(line.toString(StandardCharsets.UTF_8));
      }
      if (line.size() >= maxLine) {
        throw new IOException("feed line longer than " + maxLine + " bytes");
      }
      line.write(b);
    }
  }

  private int bodyByte() throws IOException {
    if (eof) {
      return -1;
    }
    if (!chunked) {
      int b = in.read();
      if (b < 0) {
        eof = true;
      }
      return b;
    }
    if (chunkLeft == 0) {
      String size;
      try {
        size = headerLine();
      } catch (EOFException e) {
        eof = true; // cut between chunks: no last chunk
        return -1;
      }
      int semi = size.indexOf(';');
      long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
      if (n == 0) {
        lastChunk = true;
        eof = true;
        return -1;
      }
      chunkLeft = n;
    }
    int b = in.read();
    if (b < 0) {
      eof = true; // cut mid-chunk: no last chunk
      return -1;
    }
    if (--chunkLeft == 0) {
      if (in.read() != '\r' || in.read() != '\n') {
        throw new IOException("chunk not followed by CRLF");
      }
    }
    return b;
  }

  private String headerLine() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed in the middle of the response head");
      }
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      if (b.size() > 65536) {
        throw new IOException("response header line too long");
      }
      b.write(c);
    }
  }
}
