package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.ittests.AgentLogLine;
import org.junit.jupiter.api.Test;

class AgentLogLineTest {
  @Test
  void parsesTheAgentsJsonLinesAndKeepsAnythingElseRaw() {
    AgentLogLine json =
        AgentLogLine.parse(
            AgentLogLine.Stream.STDOUT,
            "{\"time\":\"t\",\"level\":\"WARN\",\"logger\":\"x.Y\",\"thread\":\"main\",\"msg\":\"hello\"}");
    assertThat(json.level()).contains("WARN");
    assertThat(json.isWarning()).isTrue();
    assertThat(json.isError()).isFalse();
    assertThat(json.logger()).contains("x.Y");
    assertThat(json.message()).isEqualTo("hello");
    AgentLogLine raw =
        AgentLogLine.parse(
            AgentLogLine.Stream.STDERR, "OpenJDK 64-Bit Server VM warning: {not json");
    assertThat(raw.json()).isEmpty();
    assertThat(raw.level()).isEmpty();
    assertThat(raw.message()).startsWith("OpenJDK");
  }
}
