package io.vminfo.usage.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names in the spool directory (DESIGN section 7):
 *
 * <pre>
 * YYYY/MM/DD/HH/&lt;server&gt;[.n].log          records being appended (one fsync per sample)
 * YYYY/MM/DD/HH/&lt;server&gt;[.n].log.gz       sealed: deterministic gzip, waiting for upload
 *                                           (or kept for the retention window after it)
 * YYYY/MM/DD/HH/&lt;server&gt;[.n].log.gz.md5   base64 MD5 of the .log.gz, recorded when sealing
 * ledger/uploads.jsonl                      one line per confirmed upload
 * state/sampler.json                        the last sample written
 * corrupt/                                  files set aside (corrupt .log.gz, ledger, lines)
 * </pre>
 *
 * Temporary files are hidden ({@code .<name>.tmp}) and removed at start.
 */
public final class SpoolLayout {
  /** A server uuid (or any safe name without dots, so file names parse back unambiguously). */
  public static final Pattern SERVER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");

  public static final int MAX_SEGMENT = 999_999;

  private static final Pattern FILE =
      Pattern.compile(
          "(?<server>[A-Za-z0-9][A-Za-z0-9_-]{0,127})(?:\\.(?<seg>[1-9][0-9]{0,5}))?"
              + "\\.log(?<gz>\\.gz(?<md5>\\.md5)?)?");
  private static final Pattern YEAR = Pattern.compile("[0-9]{4}");
  private static final Pattern TWO = Pattern.compile("[0-9]{2}");

  /** What a spool file is. */
  public enum Kind {
    LOG,
    GZ,
    MD5
  }

  /** A spool file name, parsed. */
  public record Parsed(SegmentKey key, Kind kind) {}

  private final Path root;

  public SpoolLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path hourDir(Instant hour) {
    ZonedDateTime t = hour.atZone(ZoneOffset.UTC);
    return root.resolve(String.format("%04d", t.getYear()))
        .resolve(String.format("%02d", t.getMonthValue()))
        .resolve(String.format("%02d", t.getDayOfMonth()))
        .resolve(String.format("%02d", t.getHour()));
  }

  public Path log(SegmentKey k) {
    return hourDir(k.hour()).resolve(baseName(k));
  }

  public Path gz(SegmentKey k) {
    return hourDir(k.hour()).resolve(baseName(k) + ".gz");
  }

  public Path md5(SegmentKey k) {
    return hourDir(k.hour()).resolve(baseName(k) + ".gz.md5");
  }

  /** The temp file a file is written through before its atomic rename. */
  public static Path tempFor(Path file) {
    return file.resolveSibling("." + file.getFileName() + ".tmp");
  }

  public Path ledgerFile() {
    return root.resolve("ledger").resolve("uploads.jsonl");
  }

  public Path stateFile() {
    return root.resolve("state").resolve("sampler.json");
  }

  public Path corruptDir() {
    return root.resolve("corrupt");
  }

  /** A spool path relative to the root, with '/' separators (as the ledger records it). */
  public String relative(Path file) {
    Path rel = root.relativize(file.toAbsolutePath().normalize());
    return rel.toString().replace(java.io.File.separatorChar, '/');
  }

  /** The relative name of a segment's sealed file, the ledger's key. */
  public String sealedName(SegmentKey k) {
    return relative(gz(k));
  }

  /** Parses a file name found in an hour directory; empty for anything that is not ours. */
  public static Optional<Parsed> parse(Instant hour, String fileName) {
    Matcher m = FILE.matcher(fileName);
    if (!m.matches()) {
      return Optional.empty();
    }
    int seg = m.group("seg") == null ? 0 : Integer.parseInt(m.group("seg"));
    Kind kind = m.group("md5") != null ? Kind.MD5 : m.group("gz") != null ? Kind.GZ : Kind.LOG;
    return Optional.of(new Parsed(new SegmentKey(hour, m.group("server"), seg), kind));
  }

  /** Parses a relative sealed name ({@code YYYY/MM/DD/HH/<file>}) as the ledger stores it. */
  public static Optional<Parsed> parseRelative(String relative) {
    String[] p = relative.split("/", -1);
    if (p.length != 5) {
      return Optional.empty();
    }
    return hourOf(p[0], p[1], p[2], p[3]).flatMap(h -> parse(h, p[4]));
  }

  /** The hour a {@code YYYY/MM/DD/HH} directory stands for; empty if the names are not one. */
  public static Optional<Instant> hourOf(String y, String m, String d, String h) {
    if (!YEAR.matcher(y).matches()
        || !TWO.matcher(m).matches()
        || !TWO.matcher(d).matches()
        || !TWO.matcher(h).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          LocalDateTime.of(
                  Integer.parseInt(y),
                  Integer.parseInt(m),
                  Integer.parseInt(d),
                  Integer.parseInt(h),
                  0)
              .toInstant(ZoneOffset.UTC));
    } catch (java.time.DateTimeException e) {
      return Optional.empty();
    }
  }

  private static String baseName(SegmentKey k) {
    return k.segment() == 0 ? k.server() + ".log" : k.server() + "." + k.segment() + ".log";
  }
}
