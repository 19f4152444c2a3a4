package io.vminfo.cli.internal.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.CountingInputStream;
import io.vminfo.cli.internal.output.CliJson;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Checks a usage file ({@code .log}, or gzip whatever its name) line by line against the v1
 * contract: UTF-8, one JSON object per {@code \n}-terminated line, valid against the schema with
 * keys in order, {@code (uuid, timestamp)} unique, every timestamp in the file's hour (from its
 * {@code YYYY/MM/DD/HH} directory when it has one, else the first record's), {@code server_uuid}
 * matching the file name, each summary's {@code vm_count} equal to the usage records of its
 * timestamp, and no sample without its summary. Streams the file: memory does not grow with its
 * size (beyond one line and the set of record keys).
 */
public final class UsageVerifier {
  /** Longest line read; longer ones are reported and skipped. */
  public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

  private static final Pattern HOUR_PATH =
      Pattern.compile(".*/([0-9]{4})/([0-9]{2})/([0-9]{2})/([0-9]{2})/[^/]+$");
  private static final Pattern FILE_NAME =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9_-]{0,127})(\\.[1-9][0-9]{0,5})?\\.log(\\.gz)?");
  private static final int EXCERPT = 300;

  private final RecordChecker checker = new RecordChecker();

  /** The first bad line: its number, why, and its start. */
  public record BadLine(long number, String reason, String excerpt) {}

  /** The outcome for one file. */
  public record Report(
      String file,
      boolean compressed,
      long lines,
      long usage,
      long summaries,
      long badLines,
      Optional<BadLine> firstBad,
      List<String> problems) {
    public boolean ok() {
      return badLines == 0 && problems.isEmpty();
    }
  }

  /**
   * Verifies {@code file}; {@code progress} is advanced by the bytes read from disk (for a progress
   * bar against the file size). A file that cannot be read or decompressed is an IOException.
   */
  public Report verify(Path file, AtomicLong progress) throws IOException {
    String display = file.toString();
    Optional<String> hour = hourOf(file);
    Optional<String> server = serverOf(file);
    State st = new State(hour, server);
    boolean gzip;
    try (InputStream raw = new CountingInputStream(Files.newInputStream(file), progress);
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16)) {
      buffered.mark(2);
      int b1 = buffered.read();
      int b2 = buffered.read();
      buffered.reset();
      gzip = b1 == 0x1f && b2 == 0x8b;
      InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16)
          : buffered;
      try {
        readLines(in, st);
      } catch (ZipException | java.io.EOFException e) {
        if (gzip) {
          throw new IOException(display + " is not a complete gzip file: " + e.getMessage(), e);
        }
        throw e;
      }
    }
    if (!st.openSamples.isEmpty()) {
      st.problems.add("usage records at " + String.join(", ", new TreeSet<>(st.openSamples))
          + " have no summary line (a sample cut short)");
    }
    return new Report(display, gzip, st.lines, st.usage, st.summaries, st.bad,
        Optional.ofNullable(st.firstBad), List.copyOf(st.problems));
  }

  private void readLines(InputStream in, State st) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    boolean tooLong = false;
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) > 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] != '\n') {
          continue;
        }
        if (!tooLong) {
          line.write(buf, start, i - start);
        }
        st.lines++;
        if (tooLong) {
          st.bad("line longer than " + (MAX_LINE_BYTES / (1024 * 1024)) + " MiB", "");
        } else {
          checkLine(line.toByteArray(), st);
        }
        line.reset();
        tooLong = false;
        start = i + 1;
      }
      if (!tooLong) {
        if (line.size() + (n - start) > MAX_LINE_BYTES) {
          tooLong = true;
          line.reset();
        } else {
          line.write(buf, start, n - start);
        }
      }
    }
    if (line.size() > 0 || tooLong) {
      st.lines++;
      st.bad("last line has no newline (a torn write)", excerpt(line.toByteArray()));
    }
  }

  private void checkLine(byte[] bytes, State st) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      st.bad("not valid UTF-8", excerpt(bytes));
      return;
    }
    if (text.isEmpty()) {
      st.bad("empty line", "");
      return;
    }
    JsonNode record;
    try {
      record = CliJson.parse(bytes);
    } catch (JsonProcessingException e) {
      st.bad("not JSON: " + CliJson.describe(e), excerpt(bytes));
      return;
    }
    Optional<String> problem = checker.check(record);
    if (problem.isPresent()) {
      st.bad(problem.get(), excerpt(bytes));
      return;
    }
    String type = record.path("type").textValue();
    String ts = record.path("timestamp").textValue();
    String recordHour = ts.substring(0, 13);
    if (st.hour == null) {
      st.hour = recordHour;
    }
    if (!recordHour.equals(st.hour)) {
      st.bad("timestamp " + ts + " is not in the file's hour " + st.hour + " (UTC)",
          excerpt(bytes));
      return;
    }
    String server = record.path("server_uuid").textValue();
    if (st.server != null && !st.server.equals(server)) {
      st.bad("server_uuid " + server + " is not the file's server " + st.server, excerpt(bytes));
      return;
    }
    if (type.equals("usage")) {
      String key = record.path("uuid").textValue() + "@" + ts;
      if (!st.keys.add(key)) {
        st.bad("a second record of VM " + record.path("uuid").textValue() + " at " + ts,
            excerpt(bytes));
        return;
      }
      st.usage++;
      st.perTimestamp.merge(ts, 1, Integer::sum);
      st.openSamples.add(ts);
    } else {
      long count = record.path("vm_count").asLong();
      int seen = st.perTimestamp.getOrDefault(ts, 0);
      st.summaries++;
      st.openSamples.remove(ts);
      if (count != seen) {
        st.bad("summary at " + ts + " says vm_count " + count + " but the file has " + seen
            + " usage record(s) at that time", excerpt(bytes));
      }
    }
  }

  private static Optional<String> hourOf(Path file) {
    String p = file.toAbsolutePath().normalize().toString().replace(java.io.File.separatorChar, '/');
    Matcher m = HOUR_PATH.matcher(p);
    return m.matches()
        ? Optional.of(m.group(1) + "-" + m.group(2) + "-" + m.group(3) + "T" + m.group(4))
        : Optional.empty();
  }

  private static Optional<String> serverOf(Path file) {
    Matcher m = FILE_NAME.matcher(file.getFileName().toString());
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static String excerpt(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    if (s.length() <= EXCERPT) {
      return s;
    }
    return s.substring(0, EXCERPT) + "... (" + (bytes.length - EXCERPT) + " more bytes)";
  }

  /** Running counts while a file is read. */
  private static final class State {
    private String hour;
    private final String server;
    private final Set<String> keys = new HashSet<>();
    private final Map<String, Integer> perTimestamp = new HashMap<>();
    private final Set<String> openSamples = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private long lines;
    private long usage;
    private long summaries;
    private long bad;
    private BadLine firstBad;

    State(Optional<String> hour, Optional<String> server) {
      this.hour = hour.orElse(null);
      this.server = server.orElse(null);
    }

    void bad(String reason, String excerpt) {
      bad++;
      if (firstBad == null) {
        firstBad = new BadLine(lines, reason, excerpt);
      }
    }
  }
}
