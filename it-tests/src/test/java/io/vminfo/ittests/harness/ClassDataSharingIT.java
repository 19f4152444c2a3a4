package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.ittests.AgentLogLine;
import io.vminfo.ittests.AgentProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vminfod}'s class-data-sharing archive: written by a run that ends normally, adopted by
 * the next start, never by one that was killed, and a damaged one is dropped rather than crash the
 * JVM. Each agent here keeps its archive in its own {@code VMINFOD_CDS_DIR}, so the other ITs'
 * shared archive is not touched.
 */
class ClassDataSharingIT {
  @TempDir Path dir;

  @Test
  void aCleanStopWritesTheArchiveTheNextStartMapsIt() throws Exception {
    Path cds = dir.resolve("cds");
    AgentProcess.Builder b =
        AgentProcess.builder(dir.resolve("agent"))
            .set("backend", "example")
            .env("VMINFOD_CDS_DIR", cds.toString());

    long pid;
    try (AgentProcess first = b.start()) {
      pid = first.pid();
      assertThat(commandLine(first)).anyMatch(a -> a.endsWith(".jsa." + pid));
      assertThat(first.kill()).isEqualTo(137);
    }
    assertThat(files(cds)).as("a killed run writes no archive").isEmpty();

    try (AgentProcess second = b.start()) {
      long writer = second.pid();
      assertThat(second.stop(Duration.ofSeconds(30))).isEqualTo(143);
      assertThat(files(cds)).singleElement().asString().endsWith(".jsa." + writer);
      assertOnlyJsonOnStdout(second);
    }
    // as two agents started together leave two: one is adopted, the other deleted
    Path written = cds.resolve(files(cds).get(0));
    Files.copy(
        written, cds.resolve(written.getFileName().toString().replaceAll("\\d+$", "") + pid));

    try (AgentProcess third = b.start()) {
      List<String> archives = files(cds);
      assertThat(archives).singleElement().asString().endsWith(".jsa");
      assertThat(commandLine(third))
          .contains("-XX:SharedArchiveFile=" + cds.resolve(archives.get(0)));
      assertThat(third.getJson("/ping").path("ping").asText()).isEqualTo("pong");
      assertThat(third.stop(Duration.ofSeconds(30))).isEqualTo(143);
      assertOnlyJsonOnStdout(third);
    }
  }

  @Test
  void anArchiveCutShortIsDroppedAndTheAgentStartsWithoutIt() throws Exception {
    Path cds = dir.resolve("cds");
    AgentProcess.Builder b =
        AgentProcess.builder(dir.resolve("agent"))
            .set("backend", "example")
            .env("VMINFOD_CDS_DIR", cds.toString());
    Path written;
    try (AgentProcess p = b.start()) {
      assertThat(p.stop(Duration.ofSeconds(30))).isEqualTo(143);
      written = cds.resolve(files(cds).get(0));
    }
    // as a full disk or a kill during the dump at exit leaves it
    byte[] all = Files.readAllBytes(written);
    Files.delete(written);
    Files.write(written, java.util.Arrays.copyOf(all, all.length / 3));

    try (AgentProcess p = b.start()) {
      assertThat(commandLine(p)).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile="));
      assertThat(commandLine(p)).anyMatch(a -> a.endsWith(".jsa." + p.pid()));
      assertThat(files(cds)).as("the damaged file is deleted").isEmpty();
      assertThat(p.getJson("/ping").path("ping").asText()).isEqualTo("pong");
    }
  }

  private static List<String> commandLine(AgentProcess p) throws IOException {
    String raw =
        new String(
            Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
            StandardCharsets.UTF_8);
    return List.of(raw.split("\0"));
  }

  private static List<String> files(Path cds) throws IOException {
    if (!Files.isDirectory(cds)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(cds)) {
      return s.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertOnlyJsonOnStdout(AgentProcess p) {
    assertThat(p.logLines())
        .isNotEmpty()
        .allMatch(l -> l.stream() == AgentLogLine.Stream.STDERR || l.json().isPresent());
  }
}
