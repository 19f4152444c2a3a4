package io.vminfo.cli.internal.manta;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.EventLines;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.manta.MantaEntry;
import io.vminfo.manta.MantaObjectInfo;
import java.util.Iterator;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo manta ls}. */
@Command(
    name = "ls",
    header = "List a directory.",
    description = "List a directory (directories end in '/'); an object lists as itself.",
    footer = {
      "  vminfo manta ls ~~/stor/usage",
      "  vminfo manta ls -l ~~/stor/usage/2026/11/22/10"
    })
public final class MantaLsCommand extends MantaBase {
  @Parameters(paramLabel = "PATH", description = "A directory or object.")
  private String path;

  @Option(
      names = {"-l", "--long"},
      description = "Long format, as node-manta's mls -l.")
  private boolean longFormat;

  @Option(
      names = {"-j", "--json"},
      description = "One JSON object per entry.")
  private boolean json;

  private String owner = "";

  @Override
  public Integer call() throws Exception {
    return withManta(
        manta -> {
          MantaObjectInfo info = manta.blocking().info(path);
          // node-manta's -l prints the login the path is under as the owner.
          String[] segments = info.path().split("/");
          owner = segments.length > 1 ? segments[1] : "";
          if (!info.directory()) {
            String name = info.path().substring(info.path().lastIndexOf('/') + 1);
            print(
                Stream.of(
                    new MantaEntry(
                        name,
                        false,
                        info.size(),
                        info.etag(),
                        java.util.Optional.of(info.contentType()),
                        info.contentMd5(),
                        info.lastModified().orElse(java.time.Instant.EPOCH),
                        info.durability())));
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
    String owner = this.owner;
    // long listings show local times, as ls and node-manta's mls do
    java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneId.systemDefault());
    Iterator<MantaEntry> it = entries.iterator();
    while (it.hasNext()) {
      out().println(longLine(it.next(), owner, now));
    }
  }

  /**
   * node-manta's {@code mls -l} line: {@code drwxr-xr-x 1 LOGIN SIZE(13) MMM DD HH:mm NAME}, the
   * year instead of the time for entries six months old or more, in the local time zone.
   */
  static String longLine(MantaEntry e, String owner, java.time.ZonedDateTime now) {
    java.time.ZonedDateTime d = e.mtime().atZone(now.getZone());
    String when = d.plusMonths(6).isAfter(now) ? LONG_RECENT.format(d) : LONG_OLD.format(d);
    return String.format(
        java.util.Locale.ROOT,
        "%srwxr-xr-x 1 %s %13d %s %s",
        e.directory() ? "d" : "-",
        Cells.escape(owner),
        e.directory() ? 0 : e.size(),
        when,
        Cells.escape(e.name()));
  }

  private static final java.time.format.DateTimeFormatter LONG_RECENT =
      java.time.format.DateTimeFormatter.ofPattern("MMM dd HH:mm", java.util.Locale.US);
  private static final java.time.format.DateTimeFormatter LONG_OLD =
      java.time.format.DateTimeFormatter.ofPattern("MMM dd  yyyy", java.util.Locale.US);

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
