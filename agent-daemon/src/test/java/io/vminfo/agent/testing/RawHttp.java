package io.vminfo.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately minimal HTTP/1.1 client on a raw socket, so tests see the exact bytes the agent
 * writes (status line, headers, chunked framing) and can send malformed or hostile requests. Every
 * read has a timeout (SO_TIMEOUT); nothing waits forever.
 */
public final class RawHttp implements AutoCloseable {
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream lineBuffer = new ByteArrayOutputStream();
  private boolean chunked;
  private long chunkLeft;
  private boolean bodyDone;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
    this.in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  public static RawHttp connect(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.connect(address, 5000);
    return new RawHttp(s);
  }

  /** Connects with a tiny receive buffer, for a subscriber that never reads. */
  public static RawHttp connectSmallBuffer(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(address, 5000);
    return new RawHttp(s);
  }

  public Socket socket() {
    return socket;
  }

  public void send(String raw) throws IOException {
    send(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  public void send(byte[] raw) throws IOException {
    out.write(raw);
    out.flush();
  }

  public void get(String target) throws IOException {
    send("GET " + target + " HTTP/1.1\r\nHost: test\r\nUser-Agent: agent-test\r\n\r\n");
  }

  /** A response: status, headers (lower-case names), body. */
  public record Response(int status, String statusLine, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("body is not JSON: " + text(), e);
      }
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Reads status line and headers only (for streams). */
  public Response readHead() throws IOException {
    String statusLine = readCrlfLine();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    String h;
    while ((h = readCrlfLine()) != null && !h.isEmpty()) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    bodyDone = false;
    chunkLeft = 0;
    return new Response(status, statusLine, headers, new byte[0]);
  }

  /** Reads a whole response (content-length, chunked, or until close). */
  public Response readResponse() throws IOException {
    Response head = readHead();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String len = head.header("content-length");
    if (len != null) {
      body.write(in.readNBytes(Integer.parseInt(len)));
    } else if (chunked) {
      int b;
      while ((b = readBodyByte()) >= 0) {
        body.write(b);
      }
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(head.status(), head.statusLine(), head.headers(), body.toByteArray());
  }

  /** The next {@code \n}-terminated line of a streamed body (without the newline); null at end. */
  public String readLine() throws IOException {
    lineBuffer.reset();
    int b;
    while ((b = readBodyByte()) >= 0) {
      if (b == '\n') {
        return lineBuffer.toString(StandardCharsets.UTF_8);
      }
      lineBuffer.write(b);
    }
    return null;
  }

  /** Reads lines until one satisfies the predicate or {@code max} lines were read. */
  public List<String> readLines(int count) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String l = readLine();
      if (l == null) {
        break;
      }
      lines.add(l);
    }
    return lines;
  }

  /** Whether the body ended with the chunked terminator ({@code 0\r\n\r\n}). */
  public boolean sawLastChunk() {
    return chunked && bodyDone;
  }

  /** True when the server closes the connection within the timeout (data is skipped). */
  public boolean awaitClosed(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    byte[] skip = new byte[8192];
    try {
      while (true) {
        int n = in.read(skip);
        if (n < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by peer
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private int readBodyByte() throws IOException {
    if (!chunked) {
      return in.read();
    }
    if (bodyDone) {
      return -1;
    }
    if (chunkLeft == 0) {
      String size = readCrlfLine();
      if (size == null) {
        return -1;
      }
      if (size.isEmpty()) {
        size = readCrlfLine(); // CRLF after the previous chunk's data
        if (size == null) {
          return -1;
        }
      }
      chunkLeft = Long.parseLong(size.split(";")[0].trim(), 16);
      if (chunkLeft == 0) {
        readCrlfLine(); // final CRLF (no trailers)
        bodyDone = true;
        return -1;
      }
    }
    int b = in.read();
    if (b >= 0) {
      chunkLeft--;
    }
    return b;
  }

  private String readCrlfLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
