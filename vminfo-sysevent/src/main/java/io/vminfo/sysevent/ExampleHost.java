package io.vminfo.sysevent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The example SmartOS host tree bundled with vminfo: a zones index, five zones of different brands
 * (joyent, lx, kvm, bhyve, joyent-minimal) with config JSON, sysinfo, and small shell stand-ins for
 * {@code zoneadm list -pc} and {@code kstat -p} that read {@code var/example-host/zone-states}, so
 * the agent shows running VMs with growing usage on any machine, and editing a file in the tree
 * shows up as events.
 */
public final class ExampleHost {
  /** The server UUID in the example host's {@code /tmp/.sysinfo.json}. */
  public static final String SERVER_UUID = "44454c4c-4800-1057-8058-c4c04f4a5a31";

  /** The datacenter name in the example host's sysinfo. */
  public static final String DATACENTER_NAME = "example-1";

  /** The file the example {@code zoneadm} reads zone states from, relative to the tree's root. */
  public static final String ZONE_STATES = "var/example-host/zone-states";

  private static final String BASE = "example-host/";

  private ExampleHost() {}

  /** One file of the tree. */
  public record Entry(String path, boolean executable) {}

  /** Every file of the example tree. */
  public static List<Entry> entries() throws IOException {
    List<Entry> out = new ArrayList<>();
    try (InputStream in = resource("MANIFEST");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\\s+", 2);
        if (f.length != 2 || f[1].contains("..") || f[1].startsWith("/")) {
          throw new IOException("bad example-host MANIFEST line: " + line);
        }
        out.add(new Entry(f[1], f[0].equals("755")));
      }
    }
    return List.copyOf(out);
  }

  /**
   * Writes the example tree into {@code dir} (created if needed; existing files are replaced) and
   * returns {@code dir}, ready to be a {@link SmartOsSource} host root. Executables keep their exec
   * bits.
   */
  public static Path copyTo(Path dir) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Path root = dir.toAbsolutePath().normalize();
    Files.createDirectories(root);
    boolean posix = Files.getFileStore(root).supportsFileAttributeView("posix");
    for (Entry e : entries()) {
      Path target = root.resolve(e.path()).normalize();
      if (!target.startsWith(root)) {
        throw new IOException("example-host entry leaves the target: " + e.path());
      }
      Files.createDirectories(target.getParent());
      try (InputStream in = resource(e.path())) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      } catch (FileAlreadyExistsException ex) {
        throw new IOException("cannot replace " + target, ex);
      }
      if (posix) {
        Set<PosixFilePermission> perms =
            PosixFilePermissions.fromString(e.executable() ? "rwxr-xr-x" : "rw-r--r--");
        Files.setPosixFilePermissions(target, perms);
      } else if (e.executable()) {
        target.toFile().setExecutable(true, false);
      }
    }
    return root;
  }

  private static InputStream resource(String path) throws IOException {
    InputStream in = ExampleHost.class.getResourceAsStream(BASE + path);
    if (in == null) {
      throw new IOException("example-host resource missing from the classpath: " + path);
    }
    return in;
  }
}
