package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.Golden;
import io.vminfo.cli.testing.UsageSpool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo usage files} on a spool the real recorder wrote. */
class UsageFilesTest {
  @TempDir
  static Path dir;

  static Path spool;

  @BeforeAll
  static void record() throws Exception {
    spool = UsageSpool.build(dir);
  }

  @Test
  void listsPendingSealedAndUploadedFilesWithSizes() {
    Result r = cli().run("usage", "files", "--spool", spool.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    Golden.assertMatches("usage-files.txt", r.out());
  }

  @Test
  void spoolFromTheEnvironment() {
    Result bySpool = cli().env("VMINFO_SPOOL_DIR", spool.toString()).run("usage", "files", "-p");
    assertThat(bySpool.exit()).as(bySpool.toString()).isZero();
    Golden.assertMatches("usage-files-parsable.txt", bySpool.out());
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
      assertThat(h08.path("remote").asText()).isEqualTo("/acct/stor/usage/2026/11/22/08/"
          + io.vminfo.cli.testing.Vms.SERVER + ".log.gz");
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
    assertThat(r.err()).contains("the ledger has damaged line(s) [2]")
        .contains("the ledger's last line is incomplete");
    assertThat(Files.readAllBytes(ledger)).isEqualTo(before);
  }

  @Test
  void noSpool() {
    Result r = cli().run("usage", "files", "--spool", dir.resolve("nope").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("vminfo: no usage spool at " + dir.resolve("nope")
        + " (give its directory with --spool)\n");
    Result both = cli().run("usage", "files", "--spool", spool.toString(), "-j", "-p");
    assertThat(both.exit()).isEqualTo(2);
  }
}
