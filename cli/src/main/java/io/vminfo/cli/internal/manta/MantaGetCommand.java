package io.vminfo.cli.internal.manta;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Progress;
import io.vminfo.manta.GetOptions;
import io.vminfo.manta.MantaObjectStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta get}. */
@Command(
    name = "get",
    header = "Download an object.",
    description =
        "Download an object to stdout or a file. The MD5 Manta stores is checked; with -o "
            + "the file appears only when complete and correct.",
    footer = {
      "  vminfo manta get ~~/stor/usage/2026/11/22/10/SERVER.log.gz | zcat | head",
      "  vminfo manta get ~~/stor/usage/2026/11/22/10/SERVER.log.gz -o h10.log.gz",
    })
public final class MantaGetCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", description = "The object.")
  private String path;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE" + " (replaced) instead of stdout.")
  private Path output;

  @Option(
      names = "--progress",
      negatable = true,
      description = "Show a progress bar (default:" + " only on a terminal).")
  private Boolean progress;

  @Override
  public Integer call() throws Exception {
    return withManta(
        manta -> {
          try (MantaObjectStream in = manta.blocking().getStream(path, GetOptions.defaults())) {
            if (in.info().directory()) {
              throw CliFailure.failed(path + " is a directory (vminfo manta ls lists it)");
            }
            AtomicLong done = new AtomicLong();
            String name = path.substring(path.lastIndexOf('/') + 1);
            Progress bar =
                Progress.start(
                    terminal().err(),
                    "get " + name,
                    in.info().size(),
                    done::get,
                    progress(progress));
            try {
              if (output == null) {
                copy(in, out(), done);
                out().flush();
              } else {
                download(in, done);
              }
            } finally {
              bar.close();
            }
          }
          return ExitCode.OK;
        });
  }

  private void download(MantaObjectStream in, AtomicLong done) throws IOException {
    Path target = output.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + ".vminfo-part");
    try {
      try (OutputStream file = Files.newOutputStream(temp)) {
        copy(in, file, done);
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void copy(MantaObjectStream in, OutputStream out, AtomicLong done)
      throws IOException {
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf, 0, buf.length)) > 0) {
      out.write(buf, 0, n);
      done.addAndGet(n);
    }
  }
}
