package io.vminfo.ittests.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Hand-written HTTP on a raw socket: requests no well-behaved client would send. */
final class RawHttp {
  private RawHttp() {}

  /** What came back: a parsed response, or nothing before the server closed (or the timeout). */
  record Answer(int status, Map<String, String> headers, String body, boolean closedByServer) {
    Optional<JsonNode> json() {
      try {
        return Optional.of(E2e.JSON.readTree(body));
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    String code() {
      return json().map(j -> j.path("code").asText()).orElse("");
    }
  }

  /** Sends {@code request} as is and reads until the server closes or {@code timeout} passes. */
  static Answer exchange(URI agent, byte[] request, Duration timeout) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(agent.getHost(), agent.getPort()), 5_000);
      s.setSoTimeout((int) timeout.toMillis());
      try {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
      } catch (IOException e) {
        // the server may close before it has read everything (e.g. a huge header): read its answer
      }
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      boolean closed = false;
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          all.write(buf, 0, n);
          if (complete(all.toByteArray())) {
            break;
          }
        }
        closed = n < 0;
      } catch (SocketTimeoutException e) {
        closed = false;
      } catch (IOException e) {
        closed = true; // reset by the server
      }
      return parse(all.toByteArray(), closed);
    }
  }

  static Answer exchange(URI agent, String request, Duration timeout) throws IOException {
    return exchange(agent, request.getBytes(StandardCharsets.ISO_8859_1), timeout);
  }

  private static boolean complete(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = s.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    for (String line : s.substring(0, end).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        int len = Integer.parseInt(line.substring(15).trim());
        return bytes.length >= end + 4 + len;
      }
    }
    return false;
  }

  private static Answer parse(byte[] bytes, boolean closed) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    int end = s.indexOf("\r\n\r\n");
    if (!s.startsWith("HTTP/1.") || end < 0) {
      return new Answer(-1, Map.of(), s, closed);
    }
    String[] lines = s.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      if (c > 0) {
        headers.put(
            lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(c + 1).trim());
      }
    }
    return new Answer(status, headers, s.substring(end + 4), closed);
  }
}
