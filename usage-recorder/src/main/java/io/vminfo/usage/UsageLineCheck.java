package io.vminfo.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.json.HardenedJson;
import io.vminfo.usage.internal.RecordContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The v1 contract of one hourly usage file, checked one line at a time in file order: UTF-8, one
 * JSON object per line, valid against the schema with keys in order, {@code (uuid, timestamp)}
 * unique, every timestamp in the file's hour (from its {@code YYYY/MM/DD/HH} directory when it has
 * one, else the first record's), {@code server_uuid} matching the file name, one summary per sample
 * whose {@code vm_count} equals the usage records of its timestamp. What is left open at the end
 * (usage records whose summary never came) is {@link #samplesWithoutSummary()}.
 *
 * <p>{@code vminfo usage verify} reports with it; the recorder uses it to check an open hour file
 * it adopts at start, so the two can never disagree about what a good line is. Not thread-safe: one
 * instance per file.
 */
public final class UsageLineCheck {
  private static final Pattern HOUR_PATH =
      Pattern.compile(".*/([0-9]{4})/([0-9]{2})/([0-9]{2})/([0-9]{2})/[^/]+$");
  private static final Pattern FILE_NAME =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9_-]{0,127})(\\.[1-9][0-9]{0,5})?\\.log(\\.gz)?");
  private static final int EXCERPT = 300;
  private static final ObjectMapper STRICT =
      HardenedJson.UNTRUSTED
          .withMaxStringLength(64 * 1024 * 1024)
          .withMaxNumberLength(1000)
          .mapper();

  /** What one line is. */
  public sealed interface Verdict permits Good, Bad {}

  /** A record that fits the file so far: {@code type} is {@code usage} or {@code summary}. */
  public record Good(String type, String timestamp) implements Verdict {
    public Good {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /** A line that is not a record of this file, and why. */
  public record Bad(String reason) implements Verdict {
    public Bad {
      Objects.requireNonNull(reason, "reason");
    }
  }

  private final RecordContract contract = RecordContract.shared();
  private String hour;
  private final Optional<String> server;
  private final Set<String> keys = new HashSet<>();
  private final Map<String, Integer> perTimestamp = new HashMap<>();
  private final Set<String> summarized = new HashSet<>();
  private final SortedSet<String> open = new TreeSet<>();
  private long usage;
  private long summaries;

  private UsageLineCheck(Optional<String> hour, Optional<String> server) {
    this.hour = hour.orElse(null);
    this.server = server;
  }

  /** A check whose hour and server come from {@code file}'s spool path and name, when they say. */
  public static UsageLineCheck forFile(Path file) {
    String p =
        file.toAbsolutePath().normalize().toString().replace(java.io.File.separatorChar, '/');
    Matcher h = HOUR_PATH.matcher(p);
    Optional<String> hour =
        h.matches()
            ? Optional.of(h.group(1) + "-" + h.group(2) + "-" + h.group(3) + "T" + h.group(4))
            : Optional.empty();
    Matcher n = FILE_NAME.matcher(file.getFileName().toString());
    return new UsageLineCheck(hour, n.matches() ? Optional.of(n.group(1)) : Optional.empty());
  }

  /** The next line of the file, without its newline. */
  public Verdict check(byte[] line) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line));
    } catch (CharacterCodingException e) {
      return new Bad("not valid UTF-8");
    }
    if (line.length == 0) {
      return new Bad("empty line");
    }
    JsonNode record;
    try {
      record = STRICT.readTree(line);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      return new Bad("not JSON: " + e.getOriginalMessage() + where);
    } catch (IOException e) {
      throw new IllegalStateException("reading from memory cannot fail", e);
    }
    Optional<String> problem = contract.check(record);
    if (problem.isPresent()) {
      return new Bad(problem.get());
    }
    String type = record.path("type").textValue();
    String ts = record.path("timestamp").textValue();
    String recordHour = ts.substring(0, 13);
    if (hour == null) {
      hour = recordHour;
    }
    if (!recordHour.equals(hour)) {
      return new Bad("timestamp " + ts + " is not in the file's hour " + hour + " (UTC)");
    }
    String recordServer = record.path("server_uuid").textValue();
    if (server.isPresent() && !server.get().equals(recordServer)) {
      return new Bad("server_uuid " + recordServer + " is not the file's server " + server.get());
    }
    if (type.equals("usage")) {
      String uuid = record.path("uuid").textValue();
      if (keys.contains(uuid + "@" + ts)) {
        return new Bad("a second record of VM " + uuid + " at " + ts);
      }
      if (summarized.contains(ts)) {
        return new Bad("a record of VM " + uuid + " at " + ts + " after that sample's summary");
      }
      keys.add(uuid + "@" + ts);
      usage++;
      perTimestamp.merge(ts, 1, Integer::sum);
      open.add(ts);
      return new Good(type, ts);
    }
    if (summarized.contains(ts)) {
      return new Bad("a second summary at " + ts);
    }
    long count = record.path("vm_count").asLong();
    int seen = perTimestamp.getOrDefault(ts, 0);
    if (count != seen) {
      return new Bad(
          "summary at "
              + ts
              + " says vm_count "
              + count
              + " but the file has "
              + seen
              + " usage record(s) at that time");
    }
    summaries++;
    summarized.add(ts);
    open.remove(ts);
    return new Good(type, ts);
  }

  /** Timestamps with good usage records but no good summary yet (a sample cut short). */
  public SortedSet<String> samplesWithoutSummary() {
    return java.util.Collections.unmodifiableSortedSet(new TreeSet<>(open));
  }

  /** Good usage records so far. */
  public long usageRecords() {
    return usage;
  }

  /** Good summaries so far. */
  public long summaries() {
    return summaries;
  }

  /** The start of a line, for a message: at most 300 characters. */
  public static String excerpt(byte[] line) {
    String s = new String(line, StandardCharsets.UTF_8);
    if (s.length() <= EXCERPT) {
      return s;
    }
    return s.substring(0, EXCERPT) + "... (" + (line.length - EXCERPT) + " more bytes)";
  }
}
