package io.vminfo.cli.internal.manta;

import io.vminfo.cli.internal.ExitCode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta mkdir}. */
@Command(
    name = "mkdir",
    header = "Make directories.",
    description = "Make directories (an existing directory is fine).",
    footer = {"  vminfo manta mkdir ~~/stor/reports", "  vminfo manta mkdir -p ~~/stor/a/b/c"})
public final class MantaMkdirCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Directories.")
  private List<String> paths;

  @Option(
      names = {"-p", "--parents"},
      description = "Make missing parents too.")
  private boolean parents;

  @Override
  public Integer call() throws Exception {
    return withManta(
        manta -> {
          for (String p : paths) {
            if (parents) {
              manta.blocking().mkdirp(p);
            } else {
              manta.blocking().putDirectory(p);
            }
          }
          return ExitCode.OK;
        });
  }
}
