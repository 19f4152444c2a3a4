package io.vminfo.cli.internal.manta;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta sign}: node-manta's {@code msign}. */
@Command(
    name = "sign",
    header = "Print a pre-signed URL for an object.",
    description =
        "A URL that serves the object without a key until it expires, as node-manta's"
            + " msign makes them.",
    footer = {"  vminfo manta sign --expires 3600 ~~/stor/usage/2026/11/22/10/SERVER.log.gz"})
public final class MantaSignCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", description = "An object.")
  private String path;

  @Option(
      names = {"-e", "--expires"},
      paramLabel = "SECONDS",
      defaultValue = "3600",
      description = "Seconds the URL is valid from now (default: ${DEFAULT-VALUE}).")
  private long expiresIn;

  @Option(
      names = {"-m", "--method"},
      paramLabel = "METHOD",
      defaultValue = "GET",
      split = ",",
      description = "Methods the URL allows (default: ${DEFAULT-VALUE}).")
  private List<String> methods;

  @Override
  public Integer call() throws Exception {
    if (expiresIn <= 0) {
      throw CliFailure.usage("--expires must be a positive number of seconds: " + expiresIn);
    }
    return withManta(
        manta -> {
          out()
              .println(
                  manta.blocking().signedUrl(path, methods, Instant.now().plusSeconds(expiresIn)));
          return ExitCode.OK;
        });
  }
}
