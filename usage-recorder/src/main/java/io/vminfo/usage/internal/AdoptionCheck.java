package io.vminfo.usage.internal;

import io.vminfo.core.text.IsoMillis;
import io.vminfo.usage.UsageLineCheck;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Checks an open hour file the recorder adopts at start, line by line, with the same {@link
 * UsageLineCheck} that {@code vminfo usage verify} uses. Another process writing the same spool (a
 * second agent, a hand edit) leaves torn, foreign or duplicated lines and samples without their
 * summary in the middle of the file, where the tail repair does not look. Those lines are appended
 * to a file under {@code corrupt/} (forced) and the {@code .log} is replaced by its good lines
 * (temp file, force, rename, force the directory), so what is sealed and uploaded later verifies
 * clean and nothing is lost: every line is in exactly one of the two files. A crash between the two
 * steps leaves the bad lines in both; the next start sets them aside again.
 */
final class AdoptionCheck {
  /** Lines longer than this are never records; they are not buffered, only counted and moved. */
  static final int MAX_LINE_BYTES = 1024 * 1024;

  private static final int BAD = -1;
  private static final int SUMMARY = -2;

  /** What the check found; {@code badLinesFile} is present when lines were moved aside. */
  record Result(
      long keptBytes,
      long goodLines,
      long badLines,
      Optional<String> firstReason,
      Optional<Instant> lastSample,
      Optional<Path> badLinesFile) {}

  private AdoptionCheck() {}

  static Result run(Path log, Path badLinesFile, FileChannels io) throws IOException {
    UsageLineCheck check = UsageLineCheck.forFile(log);
    // Per line: BAD, SUMMARY, or the index of its usage record's timestamp.
    int[] kinds = new int[1024];
    List<String> timestamps = new ArrayList<>();
    Map<String, Integer> tsIndex = new HashMap<>();
    long lines = 0;
    String firstReason = null;
    String lastSummary = null;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(log), 1 << 16)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
      boolean tooLong = false;
      int b;
      while ((b = in.read()) >= 0) {
        if (b != '\n') {
          if (!tooLong && line.size() >= MAX_LINE_BYTES) {
            tooLong = true;
            line.reset();
          }
          if (!tooLong) {
            line.write(b);
          }
          continue;
        }
        if (lines == kinds.length) {
          kinds = Arrays.copyOf(kinds, kinds.length * 2);
        }
        int kind;
        if (tooLong) {
          kind = BAD;
          firstReason =
              firstReason != null ? firstReason : "line longer than " + MAX_LINE_BYTES + " bytes";
        } else {
          UsageLineCheck.Verdict v = check.check(line.toByteArray());
          if (v instanceof UsageLineCheck.Good good) {
            if (good.type().equals("summary")) {
              kind = SUMMARY;
              lastSummary = max(lastSummary, good.timestamp());
            } else {
              kind =
                  tsIndex.computeIfAbsent(
                      good.timestamp(),
                      t -> {
                        timestamps.add(t);
                        return timestamps.size() - 1;
                      });
            }
          } else {
            kind = BAD;
            if (firstReason == null) {
              firstReason = ((UsageLineCheck.Bad) v).reason();
            }
          }
        }
        kinds[(int) lines++] = kind;
        line.reset();
        tooLong = false;
      }
      if (line.size() > 0 || tooLong) {
        throw new IOException(log + " does not end with a newline after its tail repair");
      }
    }
    SortedSet<String> unsummarized = check.samplesWithoutSummary();
    BitSet bad = new BitSet();
    for (int i = 0; i < lines; i++) {
      int k = kinds[i];
      if (k == BAD || (k >= 0 && unsummarized.contains(timestamps.get(k)))) {
        bad.set(i);
      }
    }
    if (firstReason == null && !unsummarized.isEmpty()) {
      firstReason = "usage records at " + String.join(", ", unsummarized) + " have no summary";
    }
    Optional<Instant> last = Optional.ofNullable(lastSummary).flatMap(IsoMillis::tryParse);
    long badCount = bad.cardinality();
    if (badCount == 0) {
      return new Result(Files.size(log), lines, 0, Optional.empty(), last, Optional.empty());
    }
    long kept = split(log, badLinesFile, bad, io);
    return new Result(
        kept,
        lines - badCount,
        badCount,
        Optional.ofNullable(firstReason),
        last,
        Optional.of(badLinesFile));
  }

  private static String max(String a, String b) {
    return a == null || b.compareTo(a) > 0 ? b : a;
  }

  /** Writes the bad lines aside, then replaces the log by its good lines; the kept size. */
  private static long split(Path log, Path badLinesFile, BitSet bad, FileChannels io)
      throws IOException {
    Path tmp = SpoolLayout.tempFor(log);
    Durable.createDirectories(badLinesFile.getParent());
    long kept = 0;
    try (FileChannel goodCh =
            io.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        FileChannel badCh =
            io.open(
                badLinesFile,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        InputStream in = new BufferedInputStream(Files.newInputStream(log), 1 << 16)) {
      OutputStream good = new BufferedOutputStream(Channels.newOutputStream(goodCh), 1 << 16);
      OutputStream aside = new BufferedOutputStream(Channels.newOutputStream(badCh), 1 << 16);
      int lineNo = 0;
      OutputStream to = bad.get(0) ? aside : good;
      int b;
      while ((b = in.read()) >= 0) {
        to.write(b);
        if (to == good) {
          kept++;
        }
        if (b == '\n') {
          lineNo++;
          to = bad.get(lineNo) ? aside : good;
        }
      }
      good.flush();
      aside.flush();
      badCh.force(true);
      goodCh.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Durable.fsyncDirectory(badLinesFile.getParent());
    Durable.moveAtomically(tmp, log);
    Durable.fsyncDirectory(log.getParent());
    return kept;
  }
}
