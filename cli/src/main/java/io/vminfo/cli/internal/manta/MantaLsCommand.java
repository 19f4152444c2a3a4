package io.vminfo.cli.internal.manta;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.EventLines;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.cli.internal.output.Table;
import io.vminfo.manta.MantaEntry;
import io.vminfo.manta.MantaObjectInfo;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta ls}. */
@Command(
    name = "ls",
    header = "List a directory.",
    description = "List a directory (directories end in '/'); an object lists as itself.",
    footer = {"  vminfo manta ls ~~/stor/usage", "  vminfo manta ls -l ~~/stor/usage/2026/11/22/10"})
public final class MantaLsCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", description = "A directory or object.")
  private String path;

  @Option(names = {"-l", "--long"}, description = "Type, size, modification time and name.")
  private boolean longFormat;

  @Option(names = {"-j", "--json"}, description = "One JSON object per entry.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    return withManta(manta -> {
      MantaObjectInfo info = manta.blocking().head(path);
      if (!info.directory()) {
        String name = info.path().substring(info.path().lastIndexOf('/') + 1);
        print(Stream.of(new MantaEntry(name, false, info.size(), info.etag(),
            java.util.Optional.of(info.contentType()), info.contentMd5(),
            info.lastModified().orElse(java.time.Instant.EPOCH), info.durability())));
      } else {
        try (Stream<MantaEntry> entries = manta.blocking().list(path)) {
          print(entries);
        }
      }
      return ExitCode.OK;
    });
  }

  private void print(Stream<MantaEntry> entries) {
    if (json) {
      Iterator<MantaEntry> it = entries.iterator();
      while (it.hasNext()) {
        out().println(JsonText.compact(json(it.next())));
      }
      return;
    }
    if (!longFormat) {
      Iterator<MantaEntry> it = entries.iterator();
      while (it.hasNext()) {
        MantaEntry e = it.next();
        out().println(Cells.escape(e.name()) + (e.directory() ? "/" : ""));
      }
      return;
    }
    // -l has to see every entry for the column widths.
    Table table = new Table(List.of("TYPE", "SIZE", "MTIME", "NAME"));
    entries.forEach(e -> table.add(List.of(e.directory() ? "d" : "-", Long.toString(e.size()),
        EventLines.date(e.mtime()), Cells.escape(e.name()) + (e.directory() ? "/" : ""))));
    table.render(Table.Style.ALIGNED, false).forEach(out()::println);
  }

  /** node-manta's {@code mls -j} entry. */
  private static ObjectNode json(MantaEntry e) {
    ObjectNode o = CliJson.NODES.objectNode();
    o.put("name", e.name());
    o.put("type", e.directory() ? "directory" : "object");
    o.put("mtime", EventLines.date(e.mtime()));
    if (!e.directory()) {
      o.put("size", e.size());
    }
    e.etag().ifPresent(t -> o.put("etag", t));
    e.contentType().ifPresent(t -> o.put("contentType", t));
    e.contentMd5().ifPresent(t -> o.put("contentMD5", t));
    e.durability().ifPresent(d -> o.put("durability", d));
    return o;
  }
}
