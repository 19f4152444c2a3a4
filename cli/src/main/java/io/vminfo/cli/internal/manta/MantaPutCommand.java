package io.vminfo.cli.internal.manta;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.CountingInputStream;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Progress;
import io.vminfo.manta.MantaBody;
import io.vminfo.manta.PutOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta put}. */
@Command(
    name = "put",
    header = "Upload a file (or stdin).",
    description =
        "Upload a file, or stdin with FILE '-' (streamed with chunked encoding, never held in"
            + " memory, sent once: not retried). A PATH ending in '/' gets the file's name. The MD5"
            + " Manta computes is checked against what was sent.",
    footer = {
      "  vminfo manta put report.csv ~~/stor/reports/",
      "  vminfo manta put -p big.log.gz ~~/stor/usage/2026/11/22/10/SERVER.log.gz",
      "  tar cz etc | vminfo manta put - ~~/stor/backups/etc.tgz",
    })
public final class MantaPutCommand extends MantaBase {
  @Parameters(index = "0", paramLabel = "FILE", description = "The local file ('-': stdin).")
  private Path file;

  @Parameters(index = "1", paramLabel = "PATH", description = "Where in Manta.")
  private String path;

  @Option(
      names = {"-p", "--parents"},
      description = "Make missing parent directories.")
  private boolean parents;

  @Option(
      names = "--content-type",
      paramLabel = "TYPE",
      description = "Content-Type (default: application/octet-stream).")
  private String contentType;

  @Option(names = "--copies", paramLabel = "N", description = "Durability level (copies kept).")
  private Integer copies;

  @Option(
      names = "--progress",
      negatable = true,
      description = "Show a progress bar (default:" + " only on a terminal).")
  private Boolean progress;

  @Override
  public Integer call() throws Exception {
    if (file.toString().equals("-")) {
      return putStdin();
    }
    if (!Files.isRegularFile(file)) {
      throw CliFailure.failed(
          Files.exists(file) ? file + " is not a regular file" : "no such file: " + file);
    }
    String target = path.endsWith("/") ? path + file.getFileName() : path;
    long size = Files.size(file);
    // content-md5 lets Manta refuse a body that changed on the way.
    PutOptions options = requestedOptions().withContentMd5(md5(file));
    boolean draw = progress(progress);
    AtomicLong sent = new AtomicLong();
    // Counted only when a bar is drawn; a retry opens the file again and starts over.
    MantaBody body =
        !draw
            ? MantaBody.ofFile(file)
            : MantaBody.ofStreams(
                () -> {
                  sent.set(0);
                  try {
                    return new CountingInputStream(Files.newInputStream(file), sent);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                },
                size);
    PutOptions o = options;
    return withManta(
        manta -> {
          Progress bar =
              Progress.start(terminal().err(), "put " + file.getFileName(), size, sent::get, draw);
          try {
            manta.blocking().put(target, body, o);
          } finally {
            bar.close();
          }
          return ExitCode.OK;
        });
  }

  /** What the command line asks of every upload: -p, --content-type, --copies. */
  private PutOptions requestedOptions() {
    PutOptions options = PutOptions.defaults();
    if (parents) {
      options = options.withMkdirs();
    }
    if (contentType != null) {
      options = options.withContentType(contentType);
    }
    if (copies != null) {
      options = options.withDurabilityLevel(copies);
    }
    return options;
  }

  private Integer putStdin() throws Exception {
    if (path.endsWith("/")) {
      throw CliFailure.usage("stdin has no file name: give the full object PATH, not a directory");
    }
    if (terminal().interactive()) {
      // Typed input would be uploaded as the object: almost always a mistake (vmadm refuses too).
      throw CliFailure.usage("refusing to upload from a terminal: pipe the data into 'put -'");
    }
    PutOptions options = requestedOptions();
    AtomicLong sent = new AtomicLong();
    // Length unknown: chunked; the client still checks Manta's computed MD5 against the bytes sent.
    MantaBody body = MantaBody.ofStream(new CountingInputStream(terminal().in(), sent), -1);
    boolean draw = progress(progress);
    PutOptions o = options;
    return withManta(
        manta -> {
          Progress bar = Progress.start(terminal().err(), "put stdin", -1, sent::get, draw);
          try {
            manta.blocking().put(path, body, o);
          } finally {
            bar.close();
          }
          return ExitCode.OK;
        });
  }

  private static String md5(Path file) throws IOException {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has MD5", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return java.util.Base64.getEncoder().encodeToString(md.digest());
  }
}
