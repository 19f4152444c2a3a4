package io.vminfo.cli.internal.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the usage recorder's upload ledger ({@code <spool>/ledger/uploads.jsonl}, one line per
 * confirmed upload, each ending with a CRC-32C of its content: see usage-recorder's README). Read
 * only: damaged lines are reported, never repaired (the recorder does that at its next start).
 */
public final class LedgerFile {
  private static final String CRC_KEY = ",\"crc\":\"";
  private static final long MAX_BYTES = 256L * 1024 * 1024;

  /** One confirmed upload; {@code file} is relative to the spool, with '/' separators. */
  public record Entry(String file, String remote, String md5, long bytes, String uploaded) {}

  /** What the ledger holds: good entries, and the numbers of damaged lines. */
  public record Contents(List<Entry> entries, List<Integer> badLines, boolean tornTail) {}

  private LedgerFile() {}

  public static Contents read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new Contents(List.of(), List.of(), false);
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException("ledger " + file + " is larger than 256 MiB");
    }
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<Entry> entries = new ArrayList<>();
    List<Integer> bad = new ArrayList<>();
    boolean torn = !text.isEmpty() && !text.endsWith("\n");
    String[] lines = text.split("\n", -1);
    int complete = lines.length - 1; // the last piece is "" or the torn line
    for (int i = 0; i < complete; i++) {
      Entry e = parse(lines[i]);
      if (e == null) {
        bad.add(i + 1);
      } else {
        entries.add(e);
      }
    }
    return new Contents(List.copyOf(entries), List.copyOf(bad), torn);
  }

  /** One line, or null when it is damaged (bad CRC, bad JSON, missing fields). */
  static Entry parse(String line) {
    int at = line.lastIndexOf(CRC_KEY);
    if (at < 0 || !line.endsWith("\"}")) {
      return null;
    }
    String body = line.substring(0, at);
    String crc = line.substring(at + CRC_KEY.length(), line.length() - 2);
    CRC32C c = new CRC32C();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    if (!crc.equals(String.format("%08x", c.getValue()))) {
      return null;
    }
    try {
      JsonNode n = CliJson.parse((body + "}").getBytes(StandardCharsets.UTF_8));
      if (n.path("v").asInt() != 1
          || !n.path("file").isTextual()
          || !n.path("remote").isTextual()
          || !n.path("bytes").canConvertToLong()) {
        return null;
      }
      return new Entry(
          n.path("file").textValue(),
          n.path("remote").textValue(),
          n.path("md5").asText(""),
          n.path("bytes").asLong(),
          n.path("uploaded").asText(""));
    } catch (IOException e) {
      return null;
    }
  }
}
