package io.vminfo.core.client.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP/1.1 request over the agent's local UNIX socket ({@code actions.socket}), which the JDK's
 * HttpClient cannot speak: the request with {@code Connection: close}, the response read to its end
 * (bounded), {@code Content-Length} or chunked. A UNIX channel has no read timeout, so the exchange
 * runs on the client's executor and is closed when the request timeout passes.
 */
public final class UnixSocketExchange {
  /** The status and body of a response. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or used as a key
  public record Response(int status, byte[] body) {}

  private UnixSocketExchange() {}

  public static Response exchange(
      Path socket,
      String method,
      String target,
      Map<String, String> headers,
      Duration timeout,
      long maxBytes,
      ExecutorService executor)
      throws IOException, InterruptedException {
    SocketChannel ch;
    try {
      ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      throw new IOException("cannot connect to the agent's socket " + socket + ": " + e, e);
    }
    StringBuilder req =
        new StringBuilder(method)
            .append(' ')
            .append(target)
            .append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n");
    headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    Future<byte[]> reply =
        executor.submit(
            () -> {
              try (ch) {
                ByteBuffer out = ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                  ch.write(out);
                }
                ByteArrayOutputStream in = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
                while (ch.read(buf) >= 0) {
                  in.write(buf.array(), 0, buf.position());
                  buf.clear();
                  if (in.size() > maxBytes + 64 * 1024) {
                    throw new IOException("response larger than " + maxBytes + " bytes");
                  }
                }
                return in.toByteArray();
              }
            });
    byte[] raw;
    try {
      raw = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      ch.close(); // ends the blocked read
      reply.cancel(true);
      throw new IOException("no answer on " + socket + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException("request on " + socket + " failed: " + e.getCause(), e.getCause());
    }
    return parse(raw, socket);
  }

  static Response parse(byte[] raw, Path socket) throws IOException {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    if (end < 0) {
      throw new IOException("the agent's socket " + socket + " sent no complete HTTP response");
    }
    String[] head = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = head[0].split(" ", 3);
    int status;
    try {
      status =
          statusLine.length >= 2 && statusLine[0].startsWith("HTTP/1.")
              ? Integer.parseInt(statusLine[1])
              : -1;
    } catch (NumberFormatException e) {
      status = -1;
    }
    if (status < 100) {
      throw new IOException("not an HTTP response from " + socket + ": " + head[0]);
    }
    boolean chunked = false;
    long length = -1;
    for (int i = 1; i < head.length; i++) {
      int colon = head[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = head[i].substring(colon + 1).trim();
      if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      } else if (name.equals("content-length")) {
        length = Long.parseLong(value);
      }
    }
    int bodyStart = end + 4;
    byte[] body;
    if (chunked) {
      body = dechunk(raw, bodyStart, socket);
    } else {
      int n = length < 0 ? raw.length - bodyStart : (int) Math.min(length, raw.length - bodyStart);
      if (length >= 0 && n < length) {
        throw new IOException(
            "the response on " + socket + " was cut after " + n + " of " + length + " bytes");
      }
      body = java.util.Arrays.copyOfRange(raw, bodyStart, bodyStart + n);
    }
    return new Response(status, body);
  }

  private static byte[] dechunk(byte[] raw, int at, Path socket) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    while (true) {
      int eol = indexOf(raw, crlf, at);
      if (eol < 0) {
        throw new IOException("a chunked response on " + socket + " was cut");
      }
      String size = new String(raw, at, eol - at, StandardCharsets.US_ASCII);
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        return out.toByteArray();
      }
      if (eol + 2 + n > raw.length) {
        throw new IOException("a chunked response on " + socket + " was cut");
      }
      out.write(raw, eol + 2, n);
      at = eol + 2 + n + 2;
    }
  }

  private static int indexOf(byte[] a, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= a.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (a[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
