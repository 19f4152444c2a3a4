package io.vminfo.ittests;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The usage files an agent uploaded, read back from where they landed: a Manta emulator's root
 * directory (objects are plain files under {@code <root>/<login>/stor/...}) or a local archive
 * directory ({@code storage.local.dir}). {@code .gz} objects are decompressed.
 */
public final class UsageArchive {
  private UsageArchive() {}

  /** One uploaded object: its path under the root, its (decompressed) content and lines. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or used as a key
  public record UsageObject(String path, byte[] content) {
    public UsageObject {
      Objects.requireNonNull(path, "path");
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }

    /** Whether the content is whole lines: non-empty and ending with a newline. */
    public boolean endsWithNewline() {
      return content.length > 0 && content[content.length - 1] == '\n';
    }

    /** The lines, without their newlines (a final unterminated piece is a line too). */
    public List<String> lines() {
      String s = new String(content, StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
      if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
        out.remove(out.size() - 1);
      }
      return out;
    }

    /** The UTC hour directory of the object ({@code yyyy/MM/dd/HH}) when the path has one. */
    public String hour() {
      String[] p = path.split("/");
      return p.length >= 5
          ? String.join("/", Arrays.copyOfRange(p, p.length - 5, p.length - 1))
          : "";
    }
  }

  /**
   * Every {@code .log} / {@code .log.gz} object under {@code dir} (recursively, skipping the
   * emulator's hidden {@code .meta}/{@code .tmp}), sorted by path.
   */
  public static List<UsageObject> read(Path dir) throws IOException {
    List<UsageObject> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> !dir.relativize(p).getName(0).toString().startsWith("."))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> p.getFileName().toString().matches(".*\\.log(\\.gz)?"))
              .sorted()
              .toList();
    }
    for (Path f : files) {
      byte[] raw = Files.readAllBytes(f);
      byte[] content = raw;
      if (f.getFileName().toString().endsWith(".gz")) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
          content = in.readAllBytes();
        } catch (IOException e) {
          throw new IOException(
              "uploaded object " + f + " is not a valid gzip: " + e.getMessage(), e);
        }
      }
      out.add(new UsageObject("/" + dir.relativize(f).toString().replace('\\', '/'), content));
    }
    return out;
  }
}
