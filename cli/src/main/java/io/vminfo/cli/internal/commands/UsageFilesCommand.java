package io.vminfo.cli.internal.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.CommandBase;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.cli.internal.output.Sizes;
import io.vminfo.cli.internal.output.Table;
import io.vminfo.cli.internal.usage.SpoolFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vminfo usage files}: what the spool holds. */
@Command(
    name = "files",
    header = "List the files of a usage spool.",
    description =
        "List the usage files of a spool: pending (being written or waiting to be "
            + "sealed), sealed (compressed, waiting for upload), uploaded (in the ledger; still "
            + "local if retained) and set-aside (damaged files moved to corrupt/), with sizes. "
            + "Reads only.",
    footer = {"  vminfo usage files", "  vminfo usage files --spool /var/opt/vminfo/spool -p"})
public final class UsageFilesCommand extends CommandBase {
  static final String DEFAULT_STATE_DIR = "/var/opt/vminfo";

  @Option(
      names = "--spool",
      paramLabel = "DIR",
      description =
          "The spool directory (default:"
              + " $VMINFO_SPOOL_DIR, else $VMINFO_STATE_DIR/spool, else /var/opt/vminfo/spool).")
  private Path spool;

  @Option(names = "-H", description = "No header line and no totals.")
  private boolean noHeader;

  @Option(names = "-p", description = "Parsable: no header, fields separated by ':'.")
  private boolean parsable;

  @Option(names = "-j", description = "JSON: an array of files.")
  private boolean json;

  @Override
  public Integer call() throws IOException {
    if (json && parsable) {
      throw CliFailure.usage("-j and -p cannot be combined");
    }
    Path dir =
        spool != null
            ? spool
            : terminal()
                .getenv("VMINFO_SPOOL_DIR")
                .map(Path::of)
                .orElseGet(
                    () ->
                        Path.of(
                            terminal().getenv("VMINFO_STATE_DIR").orElse(DEFAULT_STATE_DIR),
                            "spool"));
    if (!Files.isDirectory(dir)) {
      throw CliFailure.failed("no usage spool at " + dir + " (give its directory with --spool)");
    }
    SpoolFiles.Scan scan = SpoolFiles.scan(dir);
    if (!scan.ledger().badLines().isEmpty()) {
      note(
          "the ledger has damaged line(s) "
              + scan.ledger().badLines()
              + "; the agent sets it aside and rewrites it at its next start");
    }
    if (scan.ledger().tornTail()) {
      note("the ledger's last line is incomplete (an upload not yet confirmed)");
    }
    List<SpoolFiles.Item> items = scan.items();
    if (json) {
      ArrayNode array = CliJson.NODES.arrayNode();
      for (SpoolFiles.Item i : items) {
        ObjectNode o = array.addObject();
        o.put("state", i.state().label());
        if (!i.hour().isEmpty()) {
          o.put("hour", i.hour());
        }
        o.put("file", i.file());
        o.put("bytes", i.bytes());
        o.put("local", i.local());
        if (!i.remote().isEmpty()) {
          o.put("remote", i.remote());
        }
      }
      out().println(JsonText.pretty(array));
      return ExitCode.OK;
    }
    Table table = new Table(List.of("STATE", "HOUR", "FILE", "BYTES", "REMOTE"));
    Map<SpoolFiles.State, long[]> totals = new EnumMap<>(SpoolFiles.State.class);
    for (SpoolFiles.Item i : items) {
      table.add(
          List.of(
              i.state().label(),
              i.hour().isEmpty() ? "-" : i.hour(),
              Cells.escape(i.file()),
              Long.toString(i.bytes()),
              i.remote().isEmpty() ? "-" : Cells.escape(i.remote())));
      long[] t = totals.computeIfAbsent(i.state(), s -> new long[2]);
      t[0]++;
      t[1] += i.bytes();
    }
    table
        .render(parsable ? Table.Style.PARSABLE : Table.Style.ALIGNED, !noHeader)
        .forEach(out()::println);
    if (!noHeader && !parsable) {
      StringBuilder sb = new StringBuilder("total:");
      for (SpoolFiles.State s : SpoolFiles.State.values()) {
        long[] t = totals.getOrDefault(s, new long[2]);
        sb.append(' ')
            .append(t[0])
            .append(' ')
            .append(s.label())
            .append(" (")
            .append(Sizes.human(t[1]))
            .append(')');
        if (s != SpoolFiles.State.SET_ASIDE) {
          sb.append(',');
        }
      }
      out().println(sb);
    }
    return ExitCode.OK;
  }
}
