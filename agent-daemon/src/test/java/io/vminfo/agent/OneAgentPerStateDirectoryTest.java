package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.agent.internal.DirectoryLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents on one state directory would interleave their usage appends; the second must refuse to
 * start, name the holder, and leave the first one's files alone.
 */
class OneAgentPerStateDirectoryTest {
  @TempDir Path state;

  @TempDir Path spool;

  @TempDir Path otherState;

  private Agent agent(boolean ownSpool) {
    AgentConfig.Builder config =
        AgentConfig.builder()
            .set("listen.port", "0")
            .set("state_dir", state.toString())
            .set("backend", "example")
            .set("http.threads", "1")
            .set("shutdown_timeout", "5s");
    if (ownSpool) {
      config.set("spool_dir", spool.toString());
    }
    return Agent.builder(config.build()).env(Map.of()).build();
  }

  @Test
  void aSecondAgentOnTheSameStateDirectoryRefusesToStartNamingTheHolder() throws Exception {
    String pid = Long.toString(ProcessHandle.current().pid());
    try (Agent first = agent(false)) {
      first.start();
      assertThat(Files.readString(state.resolve(DirectoryLock.FILE_NAME)).strip()).isEqualTo(pid);
      Agent second = agent(false);
      assertThatThrownBy(second::start)
          .isInstanceOf(DirectoryLock.DirectoryInUseException.class)
          .hasMessageContaining("state directory " + state)
          .hasMessageContaining("pid " + pid);
    }
    // Released on stop: the next agent starts.
    try (Agent next = agent(false)) {
      next.start();
    }
  }

  @Test
  void aSeparateSpoolDirectoryIsLockedToo() throws Exception {
    try (Agent first = agent(true)) {
      first.start();
      assertThat(spool.resolve(DirectoryLock.FILE_NAME)).exists();
      // Another state directory but the same spool: still refused.
      Agent second =
          Agent.builder(
                  AgentConfig.builder()
                      .set("listen.port", "0")
                      .set("state_dir", otherState.toString())
                      .set("spool_dir", spool.toString())
                      .set("backend", "example")
                      .set("http.threads", "1")
                      .set("shutdown_timeout", "5s")
                      .build())
              .env(Map.of())
              .build();
      assertThatThrownBy(second::start)
          .isInstanceOf(DirectoryLock.DirectoryInUseException.class)
          .hasMessageContaining("spool directory " + spool);
    }
  }
}
