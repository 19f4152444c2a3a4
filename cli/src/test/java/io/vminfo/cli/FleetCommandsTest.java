package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.cli.testing.CliRunner.Result;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * {@code vminfo fleet} without a broker: missing and bad settings, and a port nobody listens on.
 * Against a real broker the commands run in it-tests' FleetKafkaIT.
 */
class FleetCommandsTest {
  @Test
  void noBrokersNamedIsAUsageError() {
    Result r = cli().run("fleet", "list");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--bootstrap-servers or $VMINFO_KAFKA");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aBadBrokerListIsAUsageError() {
    Result r = cli().env("VMINFO_KAFKA", "no-port-here").run("fleet", "host-of", "x");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("host:port[,host:port...]", "no-port-here");
  }

  @Test
  void aBrokerThatDoesNotAnswerExits3() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: connections are refused
    }
    Result r =
        cli().run("fleet", "list", "--bootstrap-servers", "127.0.0.1:" + port, "--timeout", "2s");
    assertThat(r.exit()).as(r.toString()).isEqualTo(3);
    assertThat(r.err()).contains("cannot reach Kafka at 127.0.0.1:" + port);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void followRefusesAZeroEventLimit() {
    Result r =
        cli().run("fleet", "follow", "--bootstrap-servers", "127.0.0.1:9", "--max-events", "0");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--max-events must be at least 1");
  }
}
