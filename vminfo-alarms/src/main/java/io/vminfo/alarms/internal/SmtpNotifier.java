package io.vminfo.alarms.internal;

import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.Notifier;
import io.vminfo.alarms.RejectedNoticeException;
import io.vminfo.alarms.SmtpSecurity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Sends each notice as a plain-text mail over SMTP (RFC 5321): plain to a local relay, or upgraded
 * with STARTTLS and optionally logged in with AUTH PLAIN ({@link SmtpSecurity}). The delivery id is
 * the Message-ID, so a mail system can drop a duplicate. A 5xx reply to the mail itself is a
 * rejection; anything else that fails (a relay without STARTTLS when it is required, a refused
 * login) is retried by the dispatcher, so the notice waits in the outbox until it is fixed.
 */
public final class SmtpNotifier implements Notifier {
  private final String host;
  private final int port;
  private final String from;
  private final List<String> to;
  private final Duration timeout;
  private final String heloName;
  private final SmtpSecurity security;

  public SmtpNotifier(String host, int port, String from, List<String> to, Duration timeout) {
    this(host, port, from, to, timeout, SmtpSecurity.plain());
  }

  public SmtpNotifier(
      String host,
      int port,
      String from,
      List<String> to,
      Duration timeout,
      SmtpSecurity security) {
    this.host = Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("smtp port out of range: " + port);
    }
    this.port = port;
    this.from = address(from);
    if (to.isEmpty()) {
      throw new IllegalArgumentException("smtp needs at least one recipient");
    }
    this.to = to.stream().map(SmtpNotifier::address).toList();
    this.timeout = timeout;
    this.heloName = "vminfo";
    this.security = Objects.requireNonNull(security, "security");
  }

  private static String address(String a) {
    if (a == null || !a.matches("[^\\s<>@]+@[^\\s<>@]+")) {
      throw new IllegalArgumentException("not a mail address: " + a);
    }
    return a;
  }

  @Override
  public String name() {
    return "email";
  }

  @Override
  public void deliver(AlarmNotice n) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      Socket session = s;
      BufferedReader in = reader(session);
      OutputStream out = session.getOutputStream();
      expect(in, 220);
      List<String> extensions = hello(out, in);
      if (security.requiresStartTls()) {
        if (!offers(extensions, "STARTTLS")) {
          throw new IOException(
              "smtp server " + host + ":" + port + " does not offer STARTTLS, which is required");
        }
        command(out, in, "STARTTLS", 220);
        session = upgrade(s);
        in = reader(session);
        out = session.getOutputStream();
        extensions = hello(out, in); // RFC 3207: what was said before TLS no longer counts
      }
      if (security.login().isPresent()) {
        logIn(out, in, extensions, security.login().get());
      }
      command(out, in, "MAIL FROM:<" + from + ">", 250);
      for (String r : to) {
        command(out, in, "RCPT TO:<" + r + ">", 250);
      }
      command(out, in, "DATA", 354);
      out.write(message(n).getBytes(StandardCharsets.UTF_8));
      out.flush();
      expect(in, 250);
      command(out, in, "QUIT", 221);
    }
  }

  private static BufferedReader reader(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
  }

  /** EHLO, and the extensions the server names; HELO (none) for a server without EHLO. */
  private List<String> hello(OutputStream out, BufferedReader in) throws IOException {
    send(out, "EHLO " + heloName);
    List<String> lines = replyLines(in);
    String last = lines.get(lines.size() - 1);
    if (last.startsWith("250")) {
      List<String> ext = new ArrayList<>();
      for (String l : lines.subList(1, lines.size())) {
        ext.add(l.length() > 4 ? l.substring(4).trim().toUpperCase(Locale.ROOT) : "");
      }
      return ext;
    }
    if (security.requiresStartTls()) {
      throw new IOException(
          "smtp server " + host + ":" + port + " refused EHLO (" + last + "): no STARTTLS");
    }
    command(out, in, "HELO " + heloName, 250);
    return List.of();
  }

  private static boolean offers(List<String> extensions, String keyword) {
    return extensions.stream().anyMatch(e -> e.equals(keyword) || e.startsWith(keyword + " "));
  }

  private Socket upgrade(Socket plain) throws IOException {
    SSLSocket tls = (SSLSocket) security.tlsFactory().createSocket(plain, host, port, true);
    SSLParameters p = tls.getSSLParameters();
    // the relay's certificate must name the host configured, as for HTTPS (RFC 2818, RFC 6125)
    p.setEndpointIdentificationAlgorithm("HTTPS");
    tls.setSSLParameters(p);
    tls.setSoTimeout((int) timeout.toMillis());
    tls.startHandshake();
    return tls;
  }

  private void logIn(
      OutputStream out, BufferedReader in, List<String> extensions, SmtpSecurity.Login login)
      throws IOException {
    boolean plain =
        extensions.stream()
            .anyMatch(e -> e.startsWith("AUTH ") && List.of(e.split(" ")).contains("PLAIN"));
    if (!plain) {
      throw new IOException("smtp server " + host + ":" + port + " does not offer AUTH PLAIN");
    }
    String token =
        Base64.getEncoder()
            .encodeToString(
                ("\0" + login.user() + "\0" + login.password()).getBytes(StandardCharsets.UTF_8));
    try {
      command(out, in, "AUTH PLAIN " + token, 235);
    } catch (RejectedNoticeException refused) {
      // Wrong credentials are the operator's to fix: keep the notice for when they are.
      throw new IOException("smtp login as " + login.user() + " refused: " + refused.getMessage());
    }
  }

  String message(AlarmNotice n) {
    String subject =
        "[vminfo] alarm "
            + n.kind().wireName()
            + ": "
            + n.alarm().rule().id()
            + " on "
            + n.alarm().vmUuid();
    StringBuilder body = new StringBuilder();
    body.append("From: <").append(from).append(">\r\n");
    body.append("To: ")
        .append(String.join(", ", to.stream().map(t -> "<" + t + ">").toList()))
        .append("\r\n");
    body.append("Subject: ").append(subject.replaceAll("[\\r\\n]", " ")).append("\r\n");
    body.append("Message-ID: <").append(n.deliveryId()).append("@vminfo>\r\n");
    body.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n");
    body.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
    String text =
        "alarm: "
            + n.alarm().id()
            + "\nrule: "
            + n.alarm().rule().id()
            + "\nvm: "
            + n.alarm().vmUuid()
            + "\n"
            + n.kind().wireName()
            + " at: "
            + n.at()
            // a clear says when its alarm opened; an open already did, one line up
            + (n.kind() == AlarmNotice.Kind.OPENED ? "" : "\nopened at: " + n.alarm().openedAt())
            + "\nreason: "
            + n.reason()
            + "\ndelivery id: "
            + n.deliveryId()
            + "\n";
    for (String line : text.split("\n", -1)) {
      // Dot-stuffing: a line that starts with "." would otherwise end the DATA early.
      body.append(line.startsWith(".") ? "." + line : line).append("\r\n");
    }
    body.append(".\r\n");
    return body.toString();
  }

  private static void command(OutputStream out, BufferedReader in, String line, int code)
      throws IOException {
    send(out, line);
    expect(in, code);
  }

  private static void send(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** The lines of one reply (continuation lines have a '-' after the code). */
  private static List<String> replyLines(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("smtp server closed the connection before its reply ended");
      }
      if (lines.size() == 100) {
        throw new IOException("smtp reply of more than 100 lines");
      }
      lines.add(line);
    } while (line.length() > 3 && line.charAt(3) == '-');
    return lines;
  }

  private static void expect(BufferedReader in, int code) throws IOException {
    List<String> lines = replyLines(in);
    String line = lines.get(lines.size() - 1);
    int got;
    try {
      got = Integer.parseInt(line.substring(0, Math.min(3, line.length())));
    } catch (NumberFormatException e) {
      throw new IOException("not an smtp reply: " + line);
    }
    if (got == code) {
      return;
    }
    if (got >= 500) {
      throw new RejectedNoticeException("smtp server answered " + line);
    }
    throw new IOException("smtp server answered " + line + " (expected " + code + ")");
  }
}
