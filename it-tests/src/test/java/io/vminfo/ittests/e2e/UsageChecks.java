package io.vminfo.ittests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.vminfo.ittests.UsageArchive;
import io.vminfo.usage.UsageSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Checks of uploaded usage records shared by the crash and outage tests. */
final class UsageChecks {
  private static final JsonSchema SCHEMA = schema();

  private UsageChecks() {}

  private static JsonSchema schema() {
    try (InputStream in = UsageSchema.open()) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the uploaded objects hold, after every record passed the checks. */
  record Uploaded(
      List<UsageArchive.UsageObject> objects,
      Set<String> lines,
      TreeMap<Instant, Integer> usageRecordsBySample,
      TreeMap<Instant, Long> vmCountBySample) {}

  /**
   * Every object is whole lines; every line is a schema-valid v1 record; no {@code (uuid,
   * timestamp)} and no summary timestamp appears twice (across all objects).
   */
  static Uploaded checkUploaded(Path root) throws IOException {
    List<UsageArchive.UsageObject> objects = UsageArchive.read(root);
    Set<String> lines = new HashSet<>();
    Set<String> keys = new HashSet<>();
    TreeMap<Instant, Integer> usage = new TreeMap<>();
    TreeMap<Instant, Long> summaries = new TreeMap<>();
    for (UsageArchive.UsageObject o : objects) {
      assertThat(o.endsWithNewline()).as("%s ends with a whole line", o.path()).isTrue();
      for (String line : o.lines()) {
        JsonNode r = E2e.parse(line);
        assertThat(SCHEMA.validate(r)).as("schema errors of %s in %s", line, o.path()).isEmpty();
        Instant t = Instant.parse(r.path("timestamp").asText());
        String key = r.path("type").asText() + " " + r.path("uuid").asText() + " " + t;
        assertThat(keys.add(key)).as("%s twice (again in %s)", key, o.path()).isTrue();
        lines.add(line);
        if (r.path("type").asText().equals("usage")) {
          usage.merge(t, 1, Integer::sum);
        } else {
          summaries.put(t, r.path("vm_count").asLong());
        }
      }
    }
    return new Uploaded(objects, lines, usage, summaries);
  }

  /** Summaries for every interval between the first and the last, each with its VM records. */
  static void assertContiguous(Uploaded u, Duration interval) {
    assertThat(u.vmCountBySample()).isNotEmpty();
    List<Instant> missing = new ArrayList<>();
    for (Instant t = u.vmCountBySample().firstKey();
        !t.isAfter(u.vmCountBySample().lastKey());
        t = t.plus(interval)) {
      if (!u.vmCountBySample().containsKey(t)) {
        missing.add(t);
      }
    }
    assertThat(missing)
        .as(
            "samples missing between %s and %s",
            u.vmCountBySample().firstKey(), u.vmCountBySample().lastKey())
        .isEmpty();
    for (Map.Entry<Instant, Long> e : u.vmCountBySample().entrySet()) {
      assertThat((long) u.usageRecordsBySample().getOrDefault(e.getKey(), 0))
          .as("usage records of the sample at %s", e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  /**
   * The records of complete samples in the spool right now (open {@code .log} files up to their
   * last summary line, sealed {@code .log.gz} files whole): what the agent has made durable.
   */
  static Set<String> durableSpoolRecords(Path spool) throws IOException {
    Set<String> out = new HashSet<>();
    if (!Files.isDirectory(spool)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(spool)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(
                  p -> {
                    String rel = spool.relativize(p).toString();
                    String n = p.getFileName().toString();
                    return rel.matches("\\d{4}/.*")
                        && !n.startsWith(".")
                        && (n.endsWith(".log") || n.endsWith(".log.gz"));
                  })
              .toList();
    }
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      if (f.getFileName().toString().endsWith(".gz")) {
        try (InputStream in =
            new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
      List<String> lines = new UsageArchive.UsageObject(f.toString(), bytes).lines();
      int lastSummary = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains("\"type\":\"summary\"")) {
          lastSummary = i;
        }
      }
      out.addAll(lines.subList(0, lastSummary + 1));
    }
    return out;
  }

  /** Sealed files waiting in the spool ({@code .log.gz} in an hour directory). */
  static long sealedFiles(Path spool) throws IOException {
    if (!Files.isDirectory(spool)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(spool)) {
      return s.filter(
              p ->
                  spool.relativize(p).toString().matches("\\d{4}/.*")
                      && p.getFileName().toString().endsWith(".log.gz")
                      && !p.getFileName().toString().startsWith("."))
          .count();
    }
  }

  static Set<String> hoursOf(Set<String> lines) {
    Set<String> out = new TreeSet<>();
    for (String l : lines) {
      out.add(E2e.parse(l).path("timestamp").asText().substring(0, 13));
    }
    return out;
  }

  static Map<String, Integer> count(List<String> words) {
    Map<String, Integer> m = new HashMap<>();
    words.forEach(w -> m.merge(w, 1, Integer::sum));
    return m;
  }
}
