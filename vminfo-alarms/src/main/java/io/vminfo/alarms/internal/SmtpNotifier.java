package io.vminfo.alarms.internal;

import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.Notifier;
import io.vminfo.alarms.RejectedNoticeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Sends each notice as a plain-text mail over SMTP (RFC 5321, no TLS, no auth: a local relay). The
 * delivery id is the Message-ID, so a mail system can drop a duplicate. A 5xx reply is a rejection;
 * anything else that fails is retried by the dispatcher.
 */
public final class SmtpNotifier implements Notifier {
  private final String host;
  private final int port;
  private final String from;
  private final List<String> to;
  private final Duration timeout;
  private final String heloName;

  public SmtpNotifier(String host, int port, String from, List<String> to, Duration timeout) {
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
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      expect(in, 220);
      command(out, in, "HELO " + heloName, 250);
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
            + "\nopened at: "
            + n.alarm().openedAt()
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
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    expect(in, code);
  }

  private static void expect(BufferedReader in, int code) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("smtp server closed the connection (expected " + code + ")");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
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
