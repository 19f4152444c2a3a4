package io.vminfo.alarms.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.alarms.RejectedNoticeException;
import io.vminfo.alarms.SmtpSecurity;
import io.vminfo.core.testing.SelfSignedKeyStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS and AUTH PLAIN against a small SMTP server in the test (GreenMail has no STARTTLS): the
 * server records what it saw in clear and inside TLS.
 */
class SmtpStartTlsTest {
  private static SSLContext serverTls;
  private static SSLContext clientTrust;

  private ServerSocket listening;
  // what the server saw, kept also when its session ends in a failure
  private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void certificate(@TempDir Path dir) throws Exception {
    SelfSignedKeyStore relay = SelfSignedKeyStore.create(dir, "CN=relay", "ip:127.0.0.1");
    serverTls = relay.serverContext();
    clientTrust = relay.trustingContext();
  }

  @BeforeEach
  void listen() throws IOException {
    listening = new ServerSocket();
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void close() throws IOException {
    listening.close();
  }

  /** What the server saw: each command with whether it came inside TLS, and the mail. */
  record Session(List<String> commands, String mail) {}

  /**
   * Serves one session. {@code offerStartTls}: whether EHLO names STARTTLS; {@code credentials}:
   * the only AUTH PLAIN accepted ("user:password"); mail is refused until logged in then.
   */
  private CompletableFuture<Session> serveOne(boolean offerStartTls, String credentials) {
    return serveOne(true, offerStartTls, credentials);
  }

  /** As above; {@code ehlo} false: an old relay that knows only HELO. */
  private CompletableFuture<Session> serveOne(
      boolean ehlo, boolean offerStartTls, String credentials) {
    return CompletableFuture.supplyAsync(
        () -> {
          StringBuilder mail = new StringBuilder();
          try (Socket plain = listening.accept()) {
            plain.setSoTimeout(10_000);
            Socket s = plain;
            boolean tls = false;
            boolean loggedIn = false;
            BufferedReader in = reader(s);
            OutputStream out = s.getOutputStream();
            write(out, "220 relay ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
              String verb = line.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
              seen.add((tls ? "tls " : "clear ") + (verb.equals("AUTH") ? "AUTH" : line));
              switch (verb) {
                case "EHLO" -> {
                  if (!ehlo) {
                    write(out, "502 5.5.1 unknown command");
                    continue;
                  }
                  write(
                      out,
                      "250-relay greets you",
                      offerStartTls && !tls ? "250-STARTTLS" : "250-8BITMIME",
                      tls ? "250 AUTH LOGIN PLAIN" : "250 SIZE 1000000");
                }
                case "HELO" -> write(out, "250 relay");
                case "STARTTLS" -> {
                  write(out, "220 go ahead");
                  SSLSocket t =
                      (SSLSocket)
                          serverTls
                              .getSocketFactory()
                              .createSocket(
                                  plain, plain.getInetAddress().getHostAddress(), 0, true);
                  t.setUseClientMode(false);
                  t.startHandshake();
                  s = t;
                  in = reader(s);
                  out = s.getOutputStream();
                  tls = true;
                }
                case "AUTH" -> {
                  String want =
                      Base64.getEncoder()
                          .encodeToString(
                              ("\0" + credentials.replace(":", "\0"))
                                  .getBytes(StandardCharsets.UTF_8));
                  loggedIn = tls && line.equals("AUTH PLAIN " + want);
                  write(out, loggedIn ? "235 2.7.0 authenticated" : "535 5.7.8 bad credentials");
                }
                case "MAIL" ->
                    write(
                        out,
                        credentials != null && !loggedIn
                            ? "530 5.7.0 authentication required"
                            : "250 ok");
                case "RCPT" -> write(out, "250 ok");
                case "DATA" -> {
                  write(out, "354 go on");
                  String l;
                  while ((l = in.readLine()) != null && !l.equals(".")) {
                    mail.append(l).append('\n');
                  }
                  write(out, "250 queued");
                }
                case "QUIT" -> {
                  write(out, "221 bye");
                  return new Session(List.copyOf(seen), mail.toString());
                }
                default -> write(out, "502 not here");
              }
            }
            return new Session(List.copyOf(seen), mail.toString());
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static BufferedReader reader(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
  }

  private static void write(OutputStream out, String... lines) throws IOException {
    for (String l : lines) {
      out.write((l + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    out.flush();
  }

  private SmtpNotifier notifier(SmtpSecurity security) {
    return new SmtpNotifier(
        "127.0.0.1",
        listening.getLocalPort(),
        "agent@host.example",
        List.of("ops@example.com"),
        Duration.ofSeconds(10),
        security);
  }

  @Test
  void startTlsThenLoginThenTheMailAllInsideTls() throws Exception {
    CompletableFuture<Session> session = serveOne(true, "alerts:s3cret");
    notifier(
            SmtpSecurity.startTls()
                .withTls(clientTrust.getSocketFactory())
                .withLogin("alerts", "s3cret"))
        .deliver(SmtpNotifierTest.notice());

    Session s = session.get(20, TimeUnit.SECONDS);
    assertThat(s.commands())
        .containsExactly(
            "clear EHLO vminfo",
            "clear STARTTLS",
            "tls EHLO vminfo",
            "tls AUTH",
            "tls MAIL FROM:<agent@host.example>",
            "tls RCPT TO:<ops@example.com>",
            "tls DATA",
            "tls QUIT");
    assertThat(s.mail()).contains("Message-ID: <d-42@vminfo>").contains("rule: unexpected-stop");
  }

  @Test
  void aRelayWithoutStartTlsGetsNoMailAndTheNoticeIsKept() throws Exception {
    CompletableFuture<Session> session = serveOne(false, null);
    SmtpNotifier n = notifier(SmtpSecurity.startTls().withTls(clientTrust.getSocketFactory()));

    assertThatThrownBy(() -> n.deliver(SmtpNotifierTest.notice()))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(RejectedNoticeException.class) // retried, not dropped
        .hasMessageContaining("does not offer STARTTLS, which is required");
    Session s = session.get(20, TimeUnit.SECONDS);
    assertThat(s.commands()).containsExactly("clear EHLO vminfo").doesNotContain("clear DATA");
  }

  @Test
  void aRefusedLoginIsRetriedNotDroppedAndNamesNoPassword() throws Exception {
    CompletableFuture<Session> session = serveOne(true, "alerts:s3cret");
    SmtpNotifier n =
        notifier(
            SmtpSecurity.startTls()
                .withTls(clientTrust.getSocketFactory())
                .withLogin("alerts", "wrong"));

    assertThatThrownBy(() -> n.deliver(SmtpNotifierTest.notice()))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(RejectedNoticeException.class)
        .hasMessageContaining("smtp login as alerts refused")
        .hasMessageContaining("535")
        .hasMessageNotContaining("wrong");
    listening.close(); // ends the server's session read
    session.handle((s, e) -> s).get(20, TimeUnit.SECONDS);
    assertThat(seen)
        .as("nothing after the refused login")
        .containsExactly("clear EHLO vminfo", "clear STARTTLS", "tls EHLO vminfo", "tls AUTH");
  }

  @Test
  void aCertificateNotTrustedEndsTheSessionBeforeAnyLogin() throws Exception {
    CompletableFuture<Session> session = serveOne(true, "alerts:s3cret");
    // the JDK's default trust store does not know the test's self-signed certificate
    SmtpNotifier n = notifier(SmtpSecurity.startTls().withLogin("alerts", "s3cret"));

    assertThatThrownBy(() -> n.deliver(SmtpNotifierTest.notice()))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    session.handle((s, e) -> s).get(20, TimeUnit.SECONDS);
    assertThat(seen).as("no login, no mail").containsExactly("clear EHLO vminfo", "clear STARTTLS");
  }

  @Test
  void anOldRelayWithoutEhloStillGetsPlainMailButNoneWhenStartTlsIsRequired() throws Exception {
    CompletableFuture<Session> plain = serveOne(false, false, null);
    notifier(SmtpSecurity.plain()).deliver(SmtpNotifierTest.notice());
    assertThat(plain.get(20, TimeUnit.SECONDS).commands())
        .startsWith(
            "clear EHLO vminfo", "clear HELO vminfo", "clear MAIL FROM:<agent@host.example>");

    seen.clear();
    CompletableFuture<Session> strict = serveOne(false, false, null);
    SmtpNotifier n = notifier(SmtpSecurity.startTls().withTls(clientTrust.getSocketFactory()));
    assertThatThrownBy(() -> n.deliver(SmtpNotifierTest.notice()))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(RejectedNoticeException.class)
        .hasMessageContaining("refused EHLO (502 5.5.1 unknown command): no STARTTLS");
    listening.close();
    strict.handle((s, e) -> s).get(20, TimeUnit.SECONDS);
    assertThat(seen).containsExactly("clear EHLO vminfo");
  }

  @Test
  void aLoginWithoutTlsIsRefusedAtConfiguration() {
    assertThatThrownBy(() -> SmtpSecurity.plain().withLogin("alerts", "s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs STARTTLS");
    assertThat(SmtpSecurity.startTls().withLogin("alerts", "s3cret").toString())
        .isEqualTo("starttls login alerts");
    assertThat(SmtpSecurity.startTls().withLogin("alerts", "s3cret").login().get().toString())
        .doesNotContain("s3cret");
  }
}
