package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.Golden;
import io.vminfo.cli.testing.UsageSpool;
import io.vminfo.cli.testing.Vms;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo usage verify} on files the real recorder wrote, and on damaged ones. */
class UsageVerifyTest {
  static final String HOUR_DIR = "2026/11/22/11/";

  @TempDir static Path dir;

  static Path spool;

  /** The lines of the pending hour-11 file (5 samples of 2 VMs, 11:00 to 11:04). */
  static List<String> lines;

  @TempDir Path tmp;

  @BeforeAll
  static void record() throws Exception {
    spool = UsageSpool.build(dir);
    lines = Files.readAllLines(spool.resolve(HOUR_DIR + Vms.SERVER + ".log"));
  }

  static List<Path> spoolFiles() throws Exception {
    try (Stream<Path> s = Files.walk(spool)) {
      return s.filter(p -> p.getFileName().toString().matches(".*\\.log(\\.gz)?"))
          .sorted()
          .toList();
    }
  }

  @Test
  void everyFileTheRecorderWroteIsValid() throws Exception {
    List<String> args = new ArrayList<>(List.of("usage", "verify"));
    spoolFiles().forEach(p -> args.add(p.toString()));
    Result r = cli().run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    Golden.assertMatches("usage-verify-spool.txt", r.out().replace(spool + "/", "SPOOL/"));
  }

  /** Writes {@code content} as the hour-11 file of a fresh spool-shaped directory. */
  private Path file(String content) throws Exception {
    Path f = tmp.resolve(HOUR_DIR + Vms.SERVER + ".log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static String join(List<String> l) {
    return String.join("\n", l) + "\n";
  }

  private static Result verify(Path f) {
    return cli().run("usage", "verify", f.toString());
  }

  private static void assertFirstBad(Result r, int line, String reason) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains(": FAILED\n").contains("  first bad line " + line + ": " + reason);
  }

  @Test
  void badJsonLine() throws Exception {
    List<String> l = new ArrayList<>(lines);
    l.set(3, l.get(3).substring(0, 40));
    Result r = verify(file(join(l)));
    assertFirstBad(r, 4, "not JSON: ");
    // The sample's summary then counts one usage record too few: a second bad line.
    assertThat(r.out()).contains(", 2 bad: FAILED");
  }

  @Test
  void sampleWithoutSummary() throws Exception {
    List<String> l = new ArrayList<>(lines.subList(0, lines.size() - 1));
    Result r = verify(file(join(l)));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains(": 14 lines, 10 usage, 4 summaries: FAILED\n")
        .doesNotContain("first bad line")
        .endsWith(
            "  usage records at 2026-11-22T11:04:00.000Z have no summary line (a sample"
                + " cut short)\n");
  }

  @Test
  void schemaViolationIsNamed() throws Exception {
    List<String> l = new ArrayList<>(lines);
    l.set(0, l.get(0).replace("\"max_physical_memory\":1024", "\"max_physical_memory\":\"1G\""));
    assertFirstBad(
        verify(file(join(l))),
        1,
        "schema: /max_physical_memory: string found," + " integer expected");
  }

  @Test
  void keysOutOfOrder() throws Exception {
    List<String> l = new ArrayList<>(lines);
    l.set(0, l.get(0).replace("{\"v\":1,\"type\":\"usage\"", "{\"type\":\"usage\",\"v\":1"));
    assertFirstBad(verify(file(join(l))), 1, "keys out of contract order: [type, v, ");
  }

  @Test
  void duplicateRecordAndWrongCount() throws Exception {
    List<String> l = new ArrayList<>(lines);
    l.add(1, l.get(0));
    Result r = verify(file(join(l)));
    assertFirstBad(r, 2, "a second record of VM " + Vms.WEB + " at 2026-11-22T11:00:00.000Z");
  }

  @Test
  void summaryCountMismatch() throws Exception {
    List<String> l = new ArrayList<>(lines);
    l.remove(1);
    assertFirstBad(
        verify(file(join(l))),
        2,
        "summary at 2026-11-22T11:00:00.000Z says vm_count 2"
            + " but the file has 1 usage record(s) at that time");
  }

  @Test
  void tornLastLine() throws Exception {
    String content = join(lines);
    Result r = verify(file(content.substring(0, content.length() - 30)));
    assertFirstBad(r, lines.size(), "last line has no newline (a torn write)");
  }

  @Test
  void recordOutsideTheFilesHour() throws Exception {
    List<String> l = new ArrayList<>(lines);
    l.set(0, l.get(0).replace("2026-11-22T11:00:00.000Z", "2026-11-22T12:00:00.000Z"));
    assertFirstBad(
        verify(file(join(l))),
        1,
        "timestamp 2026-11-22T12:00:00.000Z is not in the" + " file's hour 2026-11-22T11 (UTC)");
  }

  @Test
  void recordOfAnotherServer() throws Exception {
    Path f = tmp.resolve("other-server.log");
    Files.writeString(f, join(lines));
    assertFirstBad(
        verify(f), 1, "server_uuid " + Vms.SERVER + " is not the file's server" + " other-server");
  }

  @Test
  void invalidUtf8AndEmptyLines() throws Exception {
    Path f = file("");
    try (OutputStream out = Files.newOutputStream(f)) {
      out.write(lines.get(0).getBytes(StandardCharsets.UTF_8));
      out.write('\n');
      out.write(new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}', '\n', '\n'});
    }
    Result r = verify(f);
    assertFirstBad(r, 2, "not valid UTF-8");
    assertThat(r.out()).contains(", 2 bad: FAILED");
  }

  @Test
  void gzipIsDetectedByContentAndTruncatedGzipIsAnError() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(join(lines).getBytes(StandardCharsets.UTF_8));
    }
    Path f = tmp.resolve(HOUR_DIR + Vms.SERVER + ".log.gz");
    Files.createDirectories(f.getParent());
    Files.write(f, bytes.toByteArray());
    Result ok = verify(f);
    assertThat(ok.exit()).as(ok.toString()).isZero();
    assertThat(ok.out()).endsWith(": 15 lines, 10 usage, 5 summaries: ok\n");
    byte[] all = bytes.toByteArray();
    Files.write(f, java.util.Arrays.copyOf(all, all.length / 2));
    Result cut = verify(f);
    assertThat(cut.exit()).isEqualTo(1);
    assertThat(cut.err()).startsWith("vminfo: " + f + " is not a complete gzip file: ");
  }

  @Test
  void missingFilesDoNotStopTheOthers() throws Exception {
    Path good = file(join(lines));
    Result r = cli().run("usage", "verify", tmp.resolve("nope.log").toString(), good.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("vminfo: no such file: " + tmp.resolve("nope.log") + "\n");
    assertThat(r.out()).isEqualTo(good + ": 15 lines, 10 usage, 5 summaries: ok\n");
  }

  @Test
  void progressBarOnlyWhenAsked() throws Exception {
    Path big = bigFile(tmp.resolve("big/2026/11/22/11/" + Vms.SERVER + ".log"), 2_000);
    Result quiet = cli().run("usage", "verify", big.toString());
    assertThat(quiet.exit()).as(quiet.toString()).isZero();
    assertThat(quiet.err()).isEmpty();
    Result bar = cli().run("usage", "verify", "--progress", big.toString());
    assertThat(bar.exit()).isZero();
    assertThat(bar.err())
        .startsWith("\rverify " + Vms.SERVER + ".log ")
        .contains("100% [==============================]")
        .endsWith("\n");
    assertThat(bar.out()).isEqualTo(quiet.out());
    Result terminal = cli().interactive().run("usage", "verify", big.toString());
    assertThat(terminal.err()).contains("100%");
    Result off = cli().interactive().run("usage", "verify", "--no-progress", big.toString());
    assertThat(off.err()).isEmpty();
  }

  /** {@code samples} samples of the hour-11 file's two VMs, renumbered into distinct minutes. */
  static Path bigFile(Path f, int samples) throws Exception {
    Files.createDirectories(f.getParent());
    List<String> sample = lines.subList(0, 3);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < samples; i++) {
      String ts =
          String.format("2026-11-22T11:%02d:%02d.%03dZ", (i / 1000) % 60, (i / 17) % 60, i % 1000);
      for (String line : sample) {
        sb.append(line.replace("2026-11-22T11:00:00.000Z", ts)).append('\n');
      }
    }
    Files.writeString(f, sb);
    return f;
  }

  @Test
  void badArguments() {
    Result none = cli().run("usage", "verify");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("Missing required parameter: 'FILE'");
  }
}
