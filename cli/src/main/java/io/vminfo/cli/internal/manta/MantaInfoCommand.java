package io.vminfo.cli.internal.manta;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.EventLines;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.manta.MantaObjectInfo;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta info}. */
@Command(
    name = "info",
    header = "Show an object's metadata.",
    description =
        "What Manta says about an object or directory (HEAD): type, size, MD5, etag,"
            + " times, durability, m-* metadata.",
    footer = {"  vminfo manta info ~~/stor/usage/2026/11/22/10/SERVER.log.gz"})
public final class MantaInfoCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", description = "An object or directory.")
  private String path;

  @Option(
      names = {"-j", "--json"},
      description = "As a JSON object.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    return withManta(
        manta -> {
          MantaObjectInfo i = manta.blocking().info(path);
          ObjectNode o = CliJson.NODES.objectNode();
          o.put("path", i.path());
          o.put("type", i.directory() ? "directory" : "object");
          o.put(i.directory() ? "entries" : "size", i.size());
          o.put("contentType", i.contentType());
          i.contentMd5().ifPresent(m -> o.put("contentMD5", m));
          i.etag().ifPresent(e -> o.put("etag", e));
          i.lastModified().ifPresent(t -> o.put("lastModified", EventLines.date(t)));
          i.durability().ifPresent(d -> o.put("durability", d));
          if (!i.metadata().isEmpty()) {
            ObjectNode m = o.putObject("metadata");
            new TreeMap<>(i.metadata()).forEach(m::put);
          }
          o.put("requestId", i.requestId());
          if (json) {
            out().println(JsonText.pretty(o));
          } else {
            o.properties()
                .forEach(
                    e -> {
                      if (e.getValue().isObject()) {
                        for (Map.Entry<String, String> m : new TreeMap<>(i.metadata()).entrySet()) {
                          out()
                              .println(
                                  Cells.escape(m.getKey()) + ": " + Cells.escape(m.getValue()));
                        }
                      } else {
                        out().println(e.getKey() + ": " + Cells.of(e.getValue()));
                      }
                    });
          }
          return ExitCode.OK;
        });
  }
}
