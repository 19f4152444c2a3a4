package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.TestVms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alarms' SMTP settings: STARTTLS and a login, and the clear errors of a bad combination. */
class AlarmsEmailConfigTest {
  @TempDir Path state;
  @TempDir Path secrets;

  private static Consumer<AgentConfig.Builder> email(Consumer<AgentConfig.Builder> more) {
    return b -> {
      b.set("alarms.enabled", "true");
      b.set("alarms.smtp_host", "127.0.0.1");
      b.set("alarms.smtp_port", "2525");
      b.set("alarms.smtp_from", "agent@host.example");
      b.set("alarms.smtp_to", "ops@example.com");
      more.accept(b);
    };
  }

  /** STARTTLS and a login as "alerts" with the password in {@code passwordFile}. */
  private static Consumer<AgentConfig.Builder> startTlsLogin(Path passwordFile) {
    return b -> {
      b.set("alarms.smtp_starttls", "true");
      b.set("alarms.smtp_user", "alerts");
      b.set("alarms.smtp_password_file", passwordFile.toString());
    };
  }

  private void startFailsWith(Consumer<AgentConfig.Builder> settings, String message) {
    assertThatThrownBy(() -> AgentHarness.start(state, TestVms.many(1), email(settings), null))
        .hasMessageContaining(message);
  }

  @Test
  void aLoginWithoutStartTlsIsRefusedAtStart() throws Exception {
    Path pw = Files.writeString(secrets.resolve("smtp.pw"), "s3cret\n");
    startFailsWith(
        b -> {
          b.set("alarms.smtp_user", "alerts");
          b.set("alarms.smtp_password_file", pw.toString());
        },
        "alarms: an smtp login needs STARTTLS");
  }

  @Test
  void aUserNeedsAPasswordFileAndAPasswordFileAUser() throws Exception {
    startFailsWith(
        b -> {
          b.set("alarms.smtp_starttls", "true");
          b.set("alarms.smtp_user", "alerts");
        },
        "alarms.smtp_user needs alarms.smtp_password_file");
    Path pw = Files.writeString(secrets.resolve("smtp.pw"), "s3cret");
    startFailsWith(
        b -> b.set("alarms.smtp_password_file", pw.toString()),
        "alarms.smtp_password_file needs alarms.smtp_user");
  }

  @Test
  void anUnreadablePasswordFileIsNamed() {
    Path missing = secrets.resolve("absent.pw");
    startFailsWith(
        startTlsLogin(missing), "alarms.smtp_password_file " + missing + " cannot be read");
  }

  @Test
  void anEmptyPasswordFileIsRefused() throws Exception {
    Path empty = Files.writeString(secrets.resolve("empty.pw"), "\n");
    startFailsWith(startTlsLogin(empty), "alarms.smtp_password_file " + empty + " is empty");
  }

  @Test
  void startTlsWithALoginStarts() throws Exception {
    Path pw = Files.writeString(secrets.resolve("smtp.pw"), "s3cret\n");
    try (AgentHarness h =
        AgentHarness.start(state, TestVms.many(1), email(startTlsLogin(pw)), null)) {
      assertThat(h.get("/status").json().path("alarms").isObject()).isTrue();
      assertThat(h.get("/status").text()).doesNotContain("s3cret");
    }
  }
}
