package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.CommandBase;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.Progress;
import io.vminfo.cli.internal.usage.UsageVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo usage verify}: check usage files against the v1 contract. */
@Command(
    name = "verify",
    header = "Check usage files against the record contract.",
    description =
        "Check every line of usage files (.log, or .log.gz) against the record contract: "
            + "JSON, schema v1 with keys in order, (uuid, timestamp) unique, timestamps in the "
            + "file's hour, summaries matching their samples, whole lines. Prints counts and "
            + "the first bad line of each file; exit 1 if any file has a problem.",
    footer = {
      "  vminfo usage verify 44454c4c-4800-1057-8058-c4c04f4a5a31.log.gz",
      "  vminfo usage verify /var/opt/vminfo/spool/2026/11/22/*/*.log",
    })
public final class UsageVerifyCommand extends CommandBase {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Usage files.")
  private List<Path> files;

  @Option(
      names = "--progress",
      negatable = true,
      description = "Show a progress bar (default:" + " only on a terminal).")
  private Boolean progress;

  @Override
  public Integer call() throws IOException {
    UsageVerifier verifier = new UsageVerifier();
    boolean allOk = true;
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        note(Files.exists(file) ? file + " is not a regular file" : "no such file: " + file);
        allOk = false;
        continue;
      }
      AtomicLong read = new AtomicLong();
      UsageVerifier.Report r;
      Progress bar =
          Progress.start(
              terminal().err(),
              "verify " + file.getFileName(),
              Files.size(file),
              read::get,
              progress(progress));
      try {
        r = verifier.verify(file, read);
      } catch (NoSuchFileException e) {
        note("no such file: " + file);
        allOk = false;
        continue;
      } catch (IOException e) {
        note(Cells.escape(String.valueOf(e.getMessage())));
        allOk = false;
        continue;
      } finally {
        bar.close();
      }
      report(r);
      allOk &= r.ok();
    }
    return allOk ? ExitCode.OK : ExitCode.FAILED;
  }

  private void report(UsageVerifier.Report r) {
    StringBuilder sb =
        new StringBuilder(Cells.escape(r.file()))
            .append(": ")
            .append(r.lines())
            .append(r.lines() == 1 ? " line, " : " lines, ")
            .append(r.usage())
            .append(" usage, ")
            .append(r.summaries())
            .append(r.summaries() == 1 ? " summary" : " summaries");
    if (r.badLines() > 0) {
      sb.append(", ").append(r.badLines()).append(" bad");
    }
    sb.append(r.ok() ? ": ok" : ": FAILED");
    out().println(sb);
    r.firstBad()
        .ifPresent(
            b -> {
              out().println("  first bad line " + b.number() + ": " + Cells.escape(b.reason()));
              if (!b.excerpt().isEmpty()) {
                out().println("    " + Cells.escape(b.excerpt()));
              }
            });
    r.problems().forEach(p -> out().println("  " + Cells.escape(p)));
  }
}
