package io.vminfo.manta.emulator;

import io.vminfo.manta.emulator.internal.RegisteredKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A deliberately simple HTTP/1.1 client on a raw socket, signing with a plain JDK Signature. */
final class RawHttp implements AutoCloseable {
  static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final KeyPair key;

  RawHttp(int port, KeyPair key) throws IOException {
    this.socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.key = key;
  }

  String auth(Instant when, String algorithm) throws Exception {
    String date = DATE.format(when);
    Signature s =
        Signature.getInstance(algorithm.equals("ed25519-sha512") ? "Ed25519" : "SHA384withECDSA");
    s.initSign(key.getPrivate());
    s.update(("date: " + date).getBytes(StandardCharsets.UTF_8));
    return "date: "
        + date
        + "\r\nauthorization: Signature keyId=\"/alice/keys/"
        + RegisteredKey.of(key.getPublic()).md5Fingerprint()
        + "\",algorithm=\""
        + algorithm
        + "\",headers=\"date\",signature=\""
        + Base64.getEncoder().encodeToString(s.sign())
        + "\"\r\n";
  }

  /** Sends a request head (auth added unless {@code auth} is null). */
  void head(String method, String path, String extraHeaders, String auth) throws IOException {
    String req =
        method
            + " "
            + path
            + " HTTP/1.1\r\nhost: x\r\n"
            + (auth == null ? "" : auth)
            + extraHeaders
            + "\r\n";
    out.write(req.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void body(byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  Response request(String method, String path, String extraHeaders, byte[] body) throws Exception {
    head(
        method,
        path,
        extraHeaders
            + (body.length > 0 || method.equals("PUT")
                ? "content-length: " + body.length + "\r\n"
                : ""),
        auth(Instant.now(), "ed25519-sha512"));
    body(body);
    return read(method.equals("HEAD"));
  }

  Response read(boolean head) throws IOException {
    String statusLine = line();
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    String l;
    while (!(l = line()).isEmpty()) {
      int c = l.indexOf(':');
      headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
    }
    int len =
        head || status == 100 || status == 204 || status == 304
            ? 0
            : Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] b = in.readNBytes(len);
    return new Response(status, headers, new String(b, StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c < 0 && b.size() == 0) {
      throw new IOException("connection closed");
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
