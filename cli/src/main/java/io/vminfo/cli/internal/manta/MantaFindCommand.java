package io.vminfo.cli.internal.manta;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.EventLines;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.manta.BlockingMantaClient;
import io.vminfo.manta.MantaEntry;
import io.vminfo.manta.MantaObjectInfo;
import java.util.Iterator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta find}: node-manta's {@code mfind}. */
@Command(
    name = "find",
    header = "Walk a directory tree, printing matching paths.",
    description =
        "Prints the full path of every entry under PATH (depth first, in name order) whose"
            + " name matches -n and type matches -t, as node-manta's mfind.",
    footer = {
      "  vminfo manta find -t o -n '\\.log\\.gz$' ~~/stor/usage",
      "  vminfo manta find --maxdepth 1 -t d ~~/stor"
    })
public final class MantaFindCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", description = "A directory (or object).")
  private String path;

  @Option(
      names = {"-n", "--name"},
      paramLabel = "REGEX",
      description =
          "Entry names matching this" + " regular expression (anywhere in the name, as mfind).")
  private String name;

  @Option(
      names = {"-t", "--type"},
      paramLabel = "d|o",
      description = "Only directories (d) or objects (o).")
  private String type;

  @Option(names = "--maxdepth", paramLabel = "N", description = "Descend at most N levels.")
  private Integer maxDepth;

  @Option(names = "--mindepth", paramLabel = "N", description = "Print nothing above depth N.")
  private Integer minDepth;

  @Option(
      names = {"-j", "--json"},
      description = "One JSON object per entry (with its parent).")
  private boolean json;

  private Pattern pattern;

  @Override
  public Integer call() throws Exception {
    if (type != null && !type.equals("d") && !type.equals("o")) {
      throw CliFailure.usage("-t takes d (directories) or o (objects), not " + type);
    }
    if ((maxDepth != null && maxDepth < 0) || (minDepth != null && minDepth < 0)) {
      throw CliFailure.usage("--maxdepth and --mindepth must be 0 or more");
    }
    try {
      pattern = name == null ? null : Pattern.compile(name);
    } catch (PatternSyntaxException e) {
      throw CliFailure.usage("-n: not a regular expression: " + Cells.escape(e.getDescription()));
    }
    return withManta(
        manta -> {
          BlockingMantaClient m = manta.blocking();
          MantaObjectInfo root = m.info(path);
          if (!root.directory()) {
            String parent = root.path().substring(0, root.path().lastIndexOf('/'));
            String n = root.path().substring(root.path().lastIndexOf('/') + 1);
            emit(
                parent,
                new MantaEntry(
                    n,
                    false,
                    root.size(),
                    root.etag(),
                    java.util.Optional.of(root.contentType()),
                    root.contentMd5(),
                    root.lastModified().orElse(java.time.Instant.EPOCH),
                    root.durability()),
                0);
          } else {
            walk(m, root.path(), 1);
          }
          return ExitCode.OK;
        });
  }

  private void walk(BlockingMantaClient m, String dir, int depth) {
    if (maxDepth != null && depth > maxDepth) {
      return;
    }
    try (Stream<MantaEntry> entries = m.list(dir)) {
      Iterator<MantaEntry> it = entries.iterator();
      while (it.hasNext()) {
        MantaEntry e = it.next();
        emit(dir, e, depth);
        if (e.directory()) {
          walk(m, dir + "/" + e.name(), depth + 1);
        }
      }
    }
  }

  private void emit(String parent, MantaEntry e, int depth) {
    if (minDepth != null && depth < minDepth) {
      return;
    }
    if (type != null && e.directory() != type.equals("d")) {
      return;
    }
    if (pattern != null && !pattern.matcher(e.name()).find()) {
      return;
    }
    if (json) {
      ObjectNode o = CliJson.NODES.objectNode();
      o.put("name", e.name());
      o.put("type", e.directory() ? "directory" : "object");
      o.put("mtime", EventLines.date(e.mtime()));
      if (!e.directory()) {
        o.put("size", e.size());
      }
      e.etag().ifPresent(t -> o.put("etag", t));
      o.put("parent", parent);
      o.put("depth", depth);
      out().println(JsonText.compact(o));
    } else {
      out().println(Cells.escape(parent + "/" + e.name()));
    }
  }
}
