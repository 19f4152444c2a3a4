package io.vminfo.cli.internal.usage;

import io.vminfo.cli.internal.CountingInputStream;
import io.vminfo.usage.UsageLineCheck;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Checks a usage file ({@code .log}, or gzip whatever its name) line by line against the v1
 * contract with usage-recorder's {@link UsageLineCheck} (the same check the recorder applies to an
 * hour file it adopts at start), every line {@code \n}-terminated, and no sample without its
 * summary. Streams the file: memory does not grow with its size (beyond one line and the set of
 * record keys).
 */
public final class UsageVerifier {
  /** Longest line read; longer ones are reported and skipped. */
  public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

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
    State st = new State(UsageLineCheck.forFile(file));
    boolean gzip;
    try (InputStream raw = new CountingInputStream(Files.newInputStream(file), progress);
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16)) {
      buffered.mark(2);
      int b1 = buffered.read();
      int b2 = buffered.read();
      buffered.reset();
      gzip = b1 == 0x1f && b2 == 0x8b;
      InputStream in =
          gzip
              ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16)
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
    List<String> problems =
        st.lines.samplesWithoutSummary().isEmpty()
            ? List.of()
            : List.of(
                "usage records at "
                    + String.join(", ", st.lines.samplesWithoutSummary())
                    + " have no summary line (a sample cut short)");
    return new Report(
        display,
        gzip,
        st.lineCount,
        st.lines.usageRecords(),
        st.lines.summaries(),
        st.bad,
        Optional.ofNullable(st.firstBad),
        problems);
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
        st.lineCount++;
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
      st.lineCount++;
      st.bad("last line has no newline (a torn write)", UsageLineCheck.excerpt(line.toByteArray()));
    }
  }

  private static void checkLine(byte[] bytes, State st) {
    if (st.lines.check(bytes) instanceof UsageLineCheck.Bad bad) {
      st.bad(bad.reason(), UsageLineCheck.excerpt(bytes));
    }
  }

  /** Running counts while a file is read. */
  private static final class State {
    private final UsageLineCheck lines;
    private long lineCount;
    private long bad;
    private BadLine firstBad;

    State(UsageLineCheck lines) {
      this.lines = lines;
    }

    void bad(String reason, String excerpt) {
      bad++;
      if (firstBad == null) {
        firstBad = new BadLine(lineCount, reason, excerpt);
      }
    }
  }
}
