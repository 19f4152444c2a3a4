package io.vminfo.ittests;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real libvirt/QEMU host for integration tests (see {@code ../shared/notes/libvirt.md}): starts
 * {@code libvirtd} in the foreground as a descendant of the test JVM (under {@link Subreaper}, so
 * destroyed guests are reaped at once), defines and drives tiny diskless guests (64 MiB, an
 * ethernet NIC that gives a {@code vnetN} tap), and stops the daemon by its PID. When a libvirtd is
 * already running it is used and left running.
 *
 * <p>Needs root and the Debian packages {@code libvirt-daemon libvirt-daemon-driver-qemu
 * qemu-system-x86 libvirt-clients}; {@link #availability()} says why not when they are missing.
 */
public final class LibvirtHost implements AutoCloseable {
  public static final String URI = "qemu:///system";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Path LOG = Path.of("/var/log/libvirt/vminfo-it-libvirtd.log");

  private final Process launcher;
  private final long daemonPid;
  private final Set<String> domains = new LinkedHashSet<>();

  private LibvirtHost(Process launcher, long daemonPid) {
    this.launcher = launcher;
    this.daemonPid = daemonPid;
  }

  /** Whether a libvirt host can be started here, and if not, why. */
  public record Availability(boolean available, String reason) {}

  public static Availability availability() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return new Availability(false, "not Linux");
    }
    for (String tool : List.of("libvirtd", "virsh", "qemu-system-x86_64")) {
      if (which(tool).isEmpty()) {
        return new Availability(
            false,
            tool
                + " is not installed (Debian: apt-get install "
                + "--no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 "
                + "libvirt-clients; .ci/run does this)");
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return new Availability(false, "libvirtd (qemu:///system) needs root");
    }
    return new Availability(true, "");
  }

  public static boolean isAvailable() {
    return availability().available();
  }

  /** The message a test passes to its assumption when no libvirt host is available. */
  public static String skipMessage() {
    return "SKIPPED libvirt integration tests: " + availability().reason();
  }

  /** Starts libvirtd (or attaches to a running one). */
  public static LibvirtHost start() throws IOException {
    Availability a = availability();
    if (!a.available()) {
      throw new IOException("libvirt host unavailable: " + a.reason());
    }
    if (answers()) {
      return new LibvirtHost(null, -1);
    }
    prepareSystem();
    Process launcher = startDaemon();
    long pid;
    try {
      pid = readPid(launcher);
    } catch (IOException e) {
      launcher.destroyForcibly();
      throw e;
    }
    LibvirtHost host = new LibvirtHost(launcher, pid);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!answers()) {
      if (!launcher.isAlive() || System.nanoTime() > deadline) {
        host.close();
        throw new IOException(
            "libvirtd did not answer on " + URI + " within 30 s; see " + LOG + tail(LOG));
      }
      pause(Duration.ofMillis(50));
    }
    return host;
  }

  /** The libvirtd PID this harness started, or -1 when it attached to a running daemon. */
  public long daemonPid() {
    return daemonPid;
  }

  public boolean ownsDaemon() {
    return launcher != null;
  }

  /** Defines a persistent 64 MiB diskless guest with one ethernet (tap) NIC; returns its uuid. */
  public String defineGuest(String name) throws IOException {
    return defineGuest(name, "<boot dev='network'/>", "");
  }

  /**
   * Defines the guest of {@link #defineGuest(String)} with a raw virtio disk {@code vda} on {@code
   * image} (the caller makes the file, e.g. sparse); returns its uuid.
   */
  public String defineGuestWithDisk(String name, Path image) throws IOException {
    // Boots from the disk first: SeaBIOS reads its first sector (QEMU counts a read), finds no
    // boot signature and goes on to the network, where iPXE idles.
    return defineGuest(
        name,
        "<boot dev='hd'/><boot dev='network'/>",
        "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            + "<source file='"
            + escape(image.toAbsolutePath().toString())
            + "'/>"
            + "<target dev='vda' bus='virtio'/></disk>\n");
  }

  private String defineGuest(String name, String boot, String extraDevices) throws IOException {
    Path xml = Files.createTempFile("vminfo-it-" + name, ".xml");
    try {
      Files.writeString(xml, guestXml(name, UUID.randomUUID().toString(), boot, extraDevices));
      virsh("define", xml.toString());
      domains.add(name);
    } finally {
      Files.deleteIfExists(xml);
    }
    return virsh("domuuid", name).trim();
  }

  /** Starts a transient guest ({@code virsh create}); returns its uuid. */
  public String createTransientGuest(String name) throws IOException {
    Path xml = Files.createTempFile("vminfo-it-" + name, ".xml");
    try {
      Files.writeString(xml, guestXml(name, UUID.randomUUID().toString()));
      domains.add(name);
      virsh("create", xml.toString());
    } finally {
      Files.deleteIfExists(xml);
    }
    return virsh("domuuid", name).trim();
  }

  public void startGuest(String name) throws IOException {
    virsh("start", name);
  }

  public void suspend(String name) throws IOException {
    virsh("suspend", name);
  }

  public void resume(String name) throws IOException {
    virsh("resume", name);
  }

  public void destroy(String name) throws IOException {
    virsh("destroy", name);
  }

  public void undefine(String name) throws IOException {
    virsh("undefine", name);
    domains.remove(name);
  }

  /** The namespace of vminfo's domain metadata (what the libvirt backend reads). */
  public static final String VMINFO_METADATA_NS = "https://vminfo.io/xmlns/vm/1";

  /**
   * Replaces the guest's vminfo metadata in its persistent definition ({@code virsh metadata
   * --config}): simple fields ({@code owner_uuid}, {@code billing_id}, {@code image_uuid}, {@code
   * package_name}, ...) and {@code customer_metadata} entries.
   */
  public void setVminfoMetadata(
      String name, Map<String, String> fields, Map<String, String> customerMetadata)
      throws IOException {
    StringBuilder x = new StringBuilder("<vm>");
    for (Map.Entry<String, String> f : new java.util.TreeMap<>(fields).entrySet()) {
      if (!f.getKey().matches("[a-z_]+")) {
        throw new IllegalArgumentException("not a metadata field name: " + f.getKey());
      }
      x.append('<')
          .append(f.getKey())
          .append('>')
          .append(escape(f.getValue()))
          .append("</")
          .append(f.getKey())
          .append('>');
    }
    x.append("<customer_metadata>");
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(customerMetadata).entrySet()) {
      x.append("<entry key=\"")
          .append(escape(e.getKey()))
          .append("\">")
          .append(escape(e.getValue()))
          .append("</entry>");
    }
    x.append("</customer_metadata></vm>");
    virsh(
        "metadata",
        name,
        "--uri",
        VMINFO_METADATA_NS,
        "--key",
        "vminfo",
        "--set",
        x.toString(),
        "--config");
  }

  /** {@code virsh list --all --name}: every domain, running or not. */
  public List<String> listAllNames() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : virsh("list", "--all", "--name").split("\n")) {
      if (!line.isBlank()) {
        out.add(line.trim());
      }
    }
    return out;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** {@code virsh dominfo}: "State" -> "running", "Id" -> "3", ... */
  public Map<String, String> dominfo(String name) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : virsh("dominfo", name).split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** One row of {@code virsh domiflist}. */
  public record Interface(String name, String type, String source, String model, String mac) {}

  public List<Interface> domiflist(String name) throws IOException {
    List<Interface> out = new ArrayList<>();
    for (String line : virsh("domiflist", name).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 5 && f[4].matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
        out.add(new Interface(f[0], f[1], f[2], f[3], f[4]));
      }
    }
    return out;
  }

  /** {@code virsh domifstat}: guest-view counters, e.g. "rx_bytes" -> 1234. */
  public Map<String, Long> domifstat(String name, String dev) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : virsh("domifstat", name, dev).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3) {
        out.put(f[1], Long.parseLong(f[2]));
      }
    }
    return out;
  }

  /**
   * {@code virsh domblkstat}: QEMU's counters of one disk, e.g. "rd_req" -> 12, "wr_bytes" -> 0.
   */
  public Map<String, Long> domblkstat(String name, String dev) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : virsh("domblkstat", name, dev).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && f[2].matches("-?[0-9]+")) {
        out.put(f[1], Long.parseLong(f[2]));
      }
    }
    return out;
  }

  /** Runs {@code virsh -c qemu:///system ARGS}; throws with its stderr when it fails. */
  public String virsh(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
    cmd.addAll(List.of(args));
    Result r = run(cmd, COMMAND_TIMEOUT);
    if (r.exit != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + r.exit + ": " + r.output.trim());
    }
    return r.output;
  }

  /** Removes the guests this harness made, then stops the daemon it started (by PID). */
  @Override
  public void close() {
    for (String name : new ArrayList<>(domains)) {
      try {
        run(List.of("virsh", "-q", "-c", URI, "destroy", name), COMMAND_TIMEOUT);
        run(List.of("virsh", "-q", "-c", URI, "undefine", name), COMMAND_TIMEOUT);
      } catch (IOException e) {
        // best effort: the daemon is stopped below anyway
      }
    }
    domains.clear();
    if (launcher == null) {
      return;
    }
    Optional<ProcessHandle> daemon = ProcessHandle.of(daemonPid);
    daemon.ifPresent(ProcessHandle::destroy); // SIGTERM: libvirtd shuts down cleanly
    try {
      if (!launcher.waitFor(20, TimeUnit.SECONDS)) {
        daemon.ifPresent(ProcessHandle::destroyForcibly);
        launcher.destroyForcibly();
        launcher.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * TCG ({@code type='qemu'}), not KVM: on nested-virtualization hosts like these the KVM guest's
   * firmware hits an emulation failure after ~10 s and QEMU pauses it (reason "unknown").
   */
  static String guestXml(String name, String uuid) {
    return guestXml(name, uuid, "<boot dev='network'/>", "");
  }

  static String guestXml(String name, String uuid, String boot, String extraDevices) {
    return "<domain type='qemu'>\n"
        + "  <name>"
        + name
        + "</name>\n"
        + "  <uuid>"
        + uuid
        + "</uuid>\n"
        + "  <memory unit='MiB'>64</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + "  <os><type arch='x86_64' machine='pc'>hvm</type>"
        + boot
        + "</os>\n"
        + "  <devices>\n"
        + "    <interface type='ethernet'><model type='virtio'/></interface>\n"
        + extraDevices
        + "    <serial type='pty'/><console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
  }

  private static boolean answers() {
    try {
      return run(List.of("virsh", "-q", "-c", URI, "version"), Duration.ofSeconds(10)).exit == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** The one-time setup from the notes: log dir, groups, users, qemu.conf (only when missing). */
  private static void prepareSystem() throws IOException {
    Files.createDirectories(Path.of("/var/log/libvirt"));
    for (String group : List.of("kvm", "libvirt-qemu", "libvirt")) {
      if (run(List.of("getent", "group", group), COMMAND_TIMEOUT).exit != 0) {
        run(List.of("groupadd", "-r", group), COMMAND_TIMEOUT);
      }
    }
    if (run(List.of("id", "libvirt-qemu"), COMMAND_TIMEOUT).exit != 0) {
      run(
          List.of(
              "useradd",
              "-r",
              "-g",
              "libvirt-qemu",
              "-G",
              "kvm",
              "-d",
              "/var/lib/libvirt",
              "-s",
              "/usr/sbin/nologin",
              "libvirt-qemu"),
          COMMAND_TIMEOUT);
    }
    Path qemuConf = Path.of("/etc/libvirt/qemu.conf");
    if (!Files.exists(qemuConf)) {
      Files.createDirectories(qemuConf.getParent());
      Files.writeString(qemuConf, "user = \"root\"\ngroup = \"root\"\nstdio_handler = \"file\"\n");
    }
  }

  private static Process startDaemon() throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx32m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                Subreaper.class.getName(),
                LOG.toString(),
                which("libvirtd").orElse("libvirtd")));
    return new ProcessBuilder(cmd).redirectErrorStream(false).start();
  }

  private static long readPid(Process launcher) throws IOException {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new BufferedReader(
                        new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
              } catch (IOException e) {
                return null;
              }
            });
    try {
      String first = line.get(30, TimeUnit.SECONDS);
      if (first == null || !first.startsWith("pid ")) {
        String err = new String(launcher.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8);
        throw new IOException(
            "the subreaper launcher did not start libvirtd: " + first + " " + err);
      }
      return Long.parseLong(first.substring(4).trim());
    } catch (Exception e) {
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("the subreaper launcher did not report libvirtd's pid", e);
    }
  }

  private static Optional<String> which(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> cmd, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " timed out after " + timeout);
      }
      return new Result(
          p.exitValue(), new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    } catch (Exception e) {
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (in) {
      in.transferTo(buf);
    } catch (IOException e) {
      // process ended
    }
    return buf.toByteArray();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
