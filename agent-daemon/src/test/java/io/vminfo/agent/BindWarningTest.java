package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.TestVms;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Binding anywhere but loopback is an explicit choice the agent warns about (no auth). */
class BindWarningTest {
  @TempDir Path state;

  private final Logger agentLog = (Logger) LoggerFactory.getLogger(Agent.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void capture() {
    logged.start();
    agentLog.addAppender(logged);
  }

  @AfterEach
  void release() {
    agentLog.detachAppender(logged);
  }

  @Test
  void aNonLoopbackAddressLogsAWarning() throws Exception {
    try (AgentHarness h =
        AgentHarness.start(
            new io.vminfo.core.testing.FakeVmSource(
                TestVms.many(1), io.vminfo.core.HostIdentity.unknown()),
            state,
            b -> b.set("listen.address", "0.0.0.0"),
            null)) {
      assertThat(h.get("/ping").status()).isEqualTo(200);
    }
    assertThat(logged.list)
        .anyMatch(
            e ->
                e.getLevel() == ch.qos.logback.classic.Level.WARN
                    && e.getFormattedMessage()
                        .startsWith("listening on 0.0.0.0, which is not loopback")
                    && e.getFormattedMessage().contains("no authentication"));
  }

  @Test
  void loopbackDoesNot() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(1))) {
      assertThat(h.get("/ping").status()).isEqualTo(200);
    }
    assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().contains("not loopback"));
  }
}
