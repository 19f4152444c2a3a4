package io.vminfo.alarms.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.Rule;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real SMTP server (GreenMail) in the test. */
class SmtpNotifierTest {
  private GreenMail mail;

  @BeforeEach
  void start() {
    mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    mail.start();
  }

  @AfterEach
  void stop() {
    mail.stop();
  }

  static AlarmNotice notice() {
    Instant t = Instant.parse("2026-12-07T10:00:00Z");
    return new AlarmNotice(
        "d-42",
        AlarmNotice.Kind.OPENED,
        new Alarm("a-1", "vm-1", Rule.UNEXPECTED_STOP, t, "went from running to stopped"),
        t,
        ".leading dot and running to stopped");
  }

  @Test
  void aNoticeArrivesAsOneMailWithItsDeliveryIdAsMessageId() throws Exception {
    SmtpNotifier n =
        new SmtpNotifier(
            "127.0.0.1",
            mail.getSmtp().getPort(),
            "agent@host.example",
            List.of("ops@example.com", "oncall@example.com"),
            Duration.ofSeconds(10));
    n.deliver(notice());
    assertThat(mail.waitForIncomingEmail(10_000, 2)).isTrue();
    MimeMessage[] got = mail.getReceivedMessages();
    assertThat(got).hasSize(2);
    assertThat(got[0].getSubject()).isEqualTo("[vminfo] alarm opened: unexpected-stop on vm-1");
    assertThat(got[0].getMessageID()).isEqualTo("<d-42@vminfo>");
    String body = GreenMailUtil.getBody(got[0]);
    assertThat(body)
        .contains("rule: unexpected-stop")
        .contains("vm: vm-1")
        .contains("reason: .leading dot")
        .containsOnlyOnce("opened at: 2026-12-07T10:00:00Z")
        .contains("delivery id: d-42");
  }

  @Test
  void noServerIsARetryableFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    SmtpNotifier n =
        new SmtpNotifier("127.0.0.1", port, "a@b.c", List.of("d@e.f"), Duration.ofSeconds(2));
    assertThatThrownBy(() -> n.deliver(notice())).isInstanceOf(IOException.class);
  }

  @Test
  void badAddressesAreRefused() {
    assertThatThrownBy(
            () ->
                new SmtpNotifier("h", 25, "not an address", List.of("a@b"), Duration.ofSeconds(1)))
        .hasMessageContaining("not a mail address");
    assertThatThrownBy(() -> new SmtpNotifier("h", 25, "a@b", List.of(), Duration.ofSeconds(1)))
        .hasMessageContaining("at least one recipient");
    assertThatThrownBy(
            () ->
                new SmtpNotifier(
                    "h", 25, "a@b", List.of("x@y\r\nRCPT TO:<z@w>"), Duration.ofSeconds(1)))
        .hasMessageContaining("not a mail address");
  }
}
