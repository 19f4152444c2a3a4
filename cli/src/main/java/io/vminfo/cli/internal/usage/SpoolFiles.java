package io.vminfo.cli.internal.usage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a usage spool holds (layout in usage-recorder's README): hour directories {@code
 * YYYY/MM/DD/HH} with {@code <server>[.n].log} (pending: being written, or waiting to be sealed)
 * and {@code <server>[.n].log.gz} (sealed: waiting for upload, or a retained copy of an uploaded
 * file), the ledger of uploads, and files set aside under {@code corrupt/}. Symlinks are not
 * followed.
 */
public final class SpoolFiles {
  private static final Pattern YEAR = Pattern.compile("[0-9]{4}");
  private static final Pattern TWO = Pattern.compile("[0-9]{2}");
  private static final Pattern FILE =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}(\\.[1-9][0-9]{0,5})?\\.log(\\.gz)?");

  /** Where a file is in its life. */
  public enum State {
    PENDING,
    SEALED,
    UPLOADED,
    SET_ASIDE;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One file. {@code hour} is {@code YYYY-MM-DDTHH} (empty for set-aside files); {@code remote}
   * only for uploaded files; {@code local} whether it is still on disk.
   */
  public record Item(
      State state, String hour, String file, long bytes, String remote, boolean local) {}

  /** The scan: files, and what was wrong with the ledger. */
  public record Scan(List<Item> items, LedgerFile.Contents ledger) {}

  private SpoolFiles() {}

  public static Scan scan(Path spool) throws IOException {
    LedgerFile.Contents ledger = LedgerFile.read(spool.resolve("ledger").resolve("uploads.jsonl"));
    Map<String, LedgerFile.Entry> uploaded = new HashMap<>();
    ledger.entries().forEach(e -> uploaded.put(e.file(), e));
    List<Item> items = new ArrayList<>();
    for (Path y : dirs(spool, YEAR)) {
      for (Path m : dirs(y, TWO)) {
        for (Path d : dirs(m, TWO)) {
          for (Path h : dirs(d, TWO)) {
            String hour =
                y.getFileName()
                    + "-"
                    + m.getFileName()
                    + "-"
                    + d.getFileName()
                    + "T"
                    + h.getFileName();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(h)) {
              for (Path f : files) {
                String name = f.getFileName().toString();
                if (!FILE.matcher(name).matches()
                    || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                  continue; // temp files (".x.tmp"), MD5 files, anything not ours
                }
                String rel =
                    spool.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                long size = Files.size(f);
                LedgerFile.Entry up = uploaded.remove(rel);
                State state =
                    name.endsWith(".gz")
                        ? (up != null ? State.UPLOADED : State.SEALED)
                        : State.PENDING;
                items.add(new Item(state, hour, rel, size, up != null ? up.remote() : "", true));
              }
            }
          }
        }
      }
    }
    for (LedgerFile.Entry e : uploaded.values()) {
      String[] p = e.file().split("/");
      String hour = p.length == 5 ? p[0] + "-" + p[1] + "-" + p[2] + "T" + p[3] : "";
      items.add(new Item(State.UPLOADED, hour, e.file(), e.bytes(), e.remote(), false));
    }
    Path corrupt = spool.resolve("corrupt");
    if (Files.isDirectory(corrupt, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(corrupt)) {
        for (Path f : files) {
          if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            items.add(
                new Item(
                    State.SET_ASIDE, "", "corrupt/" + f.getFileName(), Files.size(f), "", true));
          }
        }
      }
    }
    items.sort(
        Comparator.comparing((Item i) -> i.state() == State.SET_ASIDE)
            .thenComparing(Item::hour)
            .thenComparing(Item::file));
    return new Scan(List.copyOf(items), ledger);
  }

  private static List<Path> dirs(Path parent, Pattern name) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(parent)) {
      for (Path p : s) {
        if (name.matcher(p.getFileName().toString()).matches()
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(p);
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }
}
