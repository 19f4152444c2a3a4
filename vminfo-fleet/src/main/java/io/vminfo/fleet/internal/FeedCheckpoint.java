package io.vminfo.fleet.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The last feed position the broker acknowledged: store epoch and revision, and the VM uuids the
 * compacted topic holds for this host at that point (so a resync after a restart can tombstone the
 * VMs deleted while the agent was down).
 */
public record FeedCheckpoint(String epoch, long rev, Set<String> uuids) {
  // the hardened reader (nesting, string and number limits): records from other hosts and files
  // on disk are input like any other
  private static final ObjectMapper JSON = Json.MAPPER;

  public FeedCheckpoint {
    Objects.requireNonNull(epoch, "epoch");
    if (rev < 0) {
      throw new IllegalArgumentException("rev must be >= 0, got " + rev);
    }
    uuids = Set.copyOf(uuids);
  }

  public static FeedCheckpoint none() {
    return new FeedCheckpoint("", 0, Set.of());
  }

  /**
   * Reads the checkpoint; missing = none. A damaged file is reported and treated as none: the next
   * publish is then a full resync, which repeats records but loses nothing.
   */
  public static FeedCheckpoint read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return none();
    }
    try {
      JsonNode n = JSON.readTree(bytes);
      Set<String> u = new TreeSet<>();
      n.path("uuids").forEach(x -> u.add(x.asText()));
      if (!n.path("epoch").isTextual() || !n.path("rev").canConvertToLong()) {
        throw new IOException("epoch or rev missing");
      }
      return new FeedCheckpoint(n.get("epoch").asText(), n.get("rev").asLong(), u);
    } catch (IOException | RuntimeException e) {
      throw new CorruptCheckpointException(file, e);
    }
  }

  public void write(Path file) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("epoch", epoch);
    n.put("rev", rev);
    ArrayNode a = n.putArray("uuids");
    new TreeSet<>(uuids).forEach(a::add);
    DurableFile.write(file, JSON.writeValueAsBytes(n));
  }

  public Optional<String> epochIfAny() {
    return epoch.isEmpty() ? Optional.empty() : Optional.of(epoch);
  }

  /** A checkpoint file that cannot be parsed. */
  public static final class CorruptCheckpointException extends IOException {
    public CorruptCheckpointException(Path file, Exception cause) {
      super("checkpoint " + file + " is damaged: " + cause.getMessage(), cause);
    }
  }
}
