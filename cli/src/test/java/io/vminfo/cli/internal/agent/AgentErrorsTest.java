package io.vminfo.cli.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.Terminal;
import io.vminfo.core.client.VminfoApiException;
import io.vminfo.core.client.VminfoClientException;
import io.vminfo.core.client.VminfoNotFoundException;
import io.vminfo.core.client.VminfoTimeoutException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which failures mean "cannot reach the agent" (exit 3) and which are the agent's answers. */
class AgentErrorsTest {
  static final URI AGENT = URI.create("http://10.0.0.5:9090/");

  static CliFailure t(Throwable e) {
    return AgentErrors.translate(e, AGENT);
  }

  @Test
  void transportFailuresAreUnreachable() {
    CliFailure refused = t(new VminfoClientException("cannot connect", new ConnectException()));
    assertThat(refused.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(refused.getMessage())
        .isEqualTo(
            "cannot reach the agent at http://10.0.0.5:9090/:"
                + " connection refused (is vminfod running? set --url or VMINFO_URL)");
    CliFailure slow = t(new VminfoTimeoutException("no answer from x within 30000 ms"));
    assertThat(slow.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(slow.getMessage()).endsWith(": no answer from x within 30000 ms");
    CliFailure connectTimeout =
        t(
            new VminfoTimeoutException(
                "x", new HttpConnectTimeoutException("HTTP connect timed out")));
    assertThat(connectTimeout.getMessage()).endsWith(": connection timed out");
    CliFailure reset =
        t(new VminfoClientException("GET failed", new IOException("Connection reset")));
    assertThat(reset.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(reset.getMessage()).endsWith(": Connection reset");
    assertThat(t(new IOException("closed")).exitCode()).isEqualTo(ExitCode.UNREACHABLE);
  }

  @Test
  void answersAreFailures() {
    CliFailure notFound = t(new VminfoNotFoundException("NotFound", "VM Not Found: x"));
    assertThat(notFound.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(notFound.getMessage()).isEqualTo("VM Not Found: x");
    CliFailure busy = t(new VminfoApiException(503, "ServiceUnavailable", "too many subscribers"));
    assertThat(busy.getMessage())
        .isEqualTo(
            "the agent at http://10.0.0.5:9090/ answered 503"
                + " ServiceUnavailable: too many subscribers");
    CliFailure garbage =
        t(
            new VminfoClientException(
                "response of /vms is not valid JSON",
                new com.fasterxml.jackson.core.JsonParseException(null, "bad")));
    assertThat(garbage.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(garbage.getMessage()).startsWith("bad answer from the agent at ");
    assertThat(t(new VminfoClientException("unexpected /ping answer")).exitCode())
        .isEqualTo(ExitCode.FAILED);
  }

  @Test
  void addressFromFlagEnvironmentOrDefault() {
    Terminal none = terminal(Map.of());
    assertThat(AgentAddress.resolve(Optional.empty(), none))
        .isEqualTo(URI.create("http://127.0.0.1:9090/"));
    Terminal env = terminal(Map.of("VMINFO_URL", "http://[::1]:9191/base"));
    assertThat(AgentAddress.resolve(Optional.empty(), env))
        .isEqualTo(URI.create("http://[::1]:9191/base/"));
    assertThat(AgentAddress.resolve(Optional.of("10.1.1.1:80"), env))
        .isEqualTo(URI.create("http://10.1.1.1:80/"));
    for (String bad : new String[] {"https://x:1", "http://", "http://x:1/?q", "http://a b"}) {
      CliFailure f =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              CliFailure.class, () -> AgentAddress.resolve(Optional.of(bad), none));
      assertThat(f).as(bad).isNotNull();
      assertThat(f.exitCode()).isEqualTo(ExitCode.USAGE);
    }
  }

  static Terminal terminal(Map<String, String> env) {
    PrintStream sink = new PrintStream(java.io.OutputStream.nullOutputStream());
    return new Terminal(new ByteArrayInputStream(new byte[0]), sink, sink, env, false);
  }
}
