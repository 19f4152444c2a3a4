package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.UsageSpool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo usage files} on a spool the real recorder wrote. */
class UsageFilesTest {
  @TempDir static Path dir;

  static Path spool;

  @BeforeAll
  static void record() throws Exception {
    spool = UsageSpool.build(dir);
  }

  static final String S = io.vminfo.cli.testing.Vms.SERVER;

  /** The files the recorder left (sizes vary by a few bytes: summaries carry runtime_ms). */
  static List<String> expectedRows() throws Exception {
    return List.of(
        row("uploaded", "08", S + ".log.gz", "/acct/stor/usage/2026/11/22/08/" + S + ".log.gz"),
        row("uploaded", "09", S + ".log.gz", "/acct/stor/usage/2026/11/22/09/" + S + ".log.gz"),
        row("sealed", "10", S + ".log.gz", "-"),
        row("pending", "11", S + ".log", "-"));
  }

  private static String row(String state, String hour, String name, String remote)
      throws Exception {
    String file = "2026/11/22/" + hour + "/" + name;
    return String.join(
        ":",
        state,
        "2026-11-22T" + hour,
        file,
        Long.toString(Files.size(spool.resolve(file))),
        remote.replace(":", "\\:"));
  }

  @Test
  void listsPendingSealedAndUploadedFilesWithSizes() throws Exception {
    Result r = cli().run("usage", "files", "--spool", spool.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).matches("STATE {5}HOUR {11}FILE {55}BYTES  REMOTE");
    List<String> rows =
        lines.subList(1, 5).stream().map(l -> String.join(":", l.split(" {2,}"))).toList();
    assertThat(rows).containsExactlyElementsOf(expectedRows());
    long pending = Files.size(spool.resolve("2026/11/22/11/" + S + ".log"));
    assertThat(lines.get(5))
        .startsWith(
            "total: 1 pending ("
                + io.vminfo.cli.internal.output.Sizes.human(pending)
                + "), 1 sealed (")
        .endsWith(
            ", 2 uploaded ("
                + io.vminfo.cli.internal.output.Sizes.human(uploadedBytes())
                + "), 0 set-aside (0 B)");
    assertThat(lines).hasSize(6);
  }

  private static long uploadedBytes() throws Exception {
    return Files.size(spool.resolve("2026/11/22/08/" + S + ".log.gz"))
        + Files.size(spool.resolve("2026/11/22/09/" + S + ".log.gz"));
  }

  @Test
  void spoolFromTheEnvironment() throws Exception {
    Result bySpool = cli().env("VMINFO_SPOOL_DIR", spool.toString()).run("usage", "files", "-p");
    assertThat(bySpool.exit()).as(bySpool.toString()).isZero();
    assertThat(bySpool.out().lines()).containsExactlyElementsOf(expectedRows());
    Result byState = cli().env("VMINFO_STATE_DIR", dir.toString()).run("usage", "files", "-p");
    assertThat(byState.out()).isEqualTo(bySpool.out());
  }

  @Test
  void jsonAndUploadedFilesNoLongerLocal() throws Exception {
    Path gone = spool.resolve("2026/11/22/08/" + io.vminfo.cli.testing.Vms.SERVER + ".log.gz");
    Path copy = dir.resolve("kept.gz");
    Files.copy(gone, copy);
    Files.delete(gone);
    try {
      Result r = cli().run("usage", "files", "--spool", spool.toString(), "-j");
      JsonNode files = CliJson.parse(r.out().getBytes(StandardCharsets.UTF_8));
      JsonNode h08 = files.get(0);
      assertThat(h08.path("state").asText()).isEqualTo("uploaded");
      assertThat(h08.path("local").asBoolean()).isFalse();
      assertThat(h08.path("remote").asText())
          .isEqualTo(
              "/acct/stor/usage/2026/11/22/08/" + io.vminfo.cli.testing.Vms.SERVER + ".log.gz");
      assertThat(h08.path("bytes").asLong()).isEqualTo(Files.size(copy));
    } finally {
      Files.move(copy, gone);
    }
  }

  @Test
  void damagedLedgerIsReportedNotRepaired() throws Exception {
    Path other = dir.resolve("damaged");
    Path ledger = other.resolve("ledger/uploads.jsonl");
    Files.createDirectories(ledger.getParent());
    String good = Files.readAllLines(spool.resolve("ledger/uploads.jsonl")).get(0);
    String bad = good.replace("\"v\":1", "\"v\":2"); // CRC no longer matches
    Files.writeString(ledger, good + "\n" + bad + "\n{\"v\":1,\"fi");
    byte[] before = Files.readAllBytes(ledger);
    Result r = cli().run("usage", "files", "--spool", other.toString(), "-H");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).hasSize(1).allMatch(l -> l.startsWith("uploaded"));
    assertThat(r.err())
        .contains("the ledger has damaged line(s) [2]")
        .contains("the ledger's last line is incomplete");
    assertThat(Files.readAllBytes(ledger)).isEqualTo(before);
  }

  @Test
  void noSpool() {
    Result r = cli().run("usage", "files", "--spool", dir.resolve("nope").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "vminfo: no usage spool at "
                + dir.resolve("nope")
                + " (give its directory with --spool)\n");
    Result both = cli().run("usage", "files", "--spool", spool.toString(), "-j", "-p");
    assertThat(both.exit()).isEqualTo(2);
  }
}
