package io.vminfo.cli.internal.manta;

import io.vminfo.cli.internal.ExitCode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta rm}. */
@Command(
    name = "rm",
    header = "Remove objects or directories.",
    description = "Remove objects or empty directories; with -r, directories and all below them.",
    footer = {"  vminfo manta rm ~~/stor/tmp/x.log", "  vminfo manta rm -r ~~/stor/tmp"})
public final class MantaRmCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Objects or directories.")
  private List<String> paths;

  @Option(
      names = {"-r", "--recursive"},
      description = "Remove directories with their contents.")
  private boolean recursive;

  @Override
  public Integer call() throws Exception {
    return withManta(
        manta -> {
          for (String p : paths) {
            if (recursive) {
              manta.blocking().deleteRecursive(p);
            } else {
              manta.blocking().delete(p);
            }
          }
          return ExitCode.OK;
        });
  }
}
