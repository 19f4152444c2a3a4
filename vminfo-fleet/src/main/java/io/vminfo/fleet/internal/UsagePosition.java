package io.vminfo.fleet.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How far the usage spool has been published: the spool file (by its key, so its {@code .log} and
 * sealed {@code .log.gz} are the same file), the byte offset after the last acknowledged sample's
 * summary line, and that summary's timestamp. The timestamp is what a restart trusts (the recorder
 * may have rewritten a file at start, shifting offsets); the offset only saves rereading within a
 * run.
 */
public record UsagePosition(SpoolFileKey file, long offset, String lastTimestamp) {
  // the hardened reader (nesting, string and number limits): records from other hosts and files
  // on disk are input like any other
  private static final ObjectMapper JSON = Json.MAPPER;

  public UsagePosition {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(lastTimestamp, "lastTimestamp");
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
  }

  public static UsagePosition start() {
    return new UsagePosition(SpoolFileKey.FIRST, 0, "");
  }

  public static UsagePosition read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return start();
    }
    try {
      JsonNode n = JSON.readTree(bytes);
      return new UsagePosition(
          SpoolFileKey.parse(n.get("file").asText()),
          n.get("offset").asLong(),
          n.get("last_timestamp").asText());
    } catch (IOException | RuntimeException e) {
      throw new FeedCheckpoint.CorruptCheckpointException(file, e);
    }
  }

  public void write(Path file) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("file", this.file.relative());
    n.put("offset", offset);
    n.put("last_timestamp", lastTimestamp);
    DurableFile.write(file, JSON.writeValueAsBytes(n));
  }

  @Override
  public String toString() {
    return file.relative() + "@" + offset;
  }
}
