package io.vminfo.cli.internal.manta;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta chattr}: node-manta's {@code mchattr}. */
@Command(
    name = "chattr",
    header = "Replace an object's or directory's metadata, keeping its content.",
    description =
        "Sets the m-* metadata (and content-type, role-tag, cache-control) of an object or"
            + " directory without rewriting it (PUT ?metadata=true): content and etag stay, metadata not"
            + " named is removed, as node-manta's mchattr.",
    footer = {
      "  vminfo manta chattr -H 'm-owner: ops' -H 'content-type: text/plain' ~~/stor/notes"
    })
public final class MantaChattrCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", description = "An object or directory.")
  private String path;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "'NAME: VALUE'",
      required = true,
      description = "A header to set; repeatable.")
  private List<String> headers;

  @Override
  public Integer call() throws Exception {
    Map<String, String> h = new LinkedHashMap<>();
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw CliFailure.usage("-H takes 'NAME: VALUE', not '" + header + "'");
      }
      h.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
    return withManta(
        manta -> {
          manta.blocking().putMetadata(path, h);
          return ExitCode.OK;
        });
  }
}
