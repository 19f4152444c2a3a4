package io.vminfo.sysevent.internal.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Vm;
import io.vminfo.core.text.IsoMillis;
import io.vminfo.core.text.Uuids;
import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.HostFiles;
import io.vminfo.sysevent.internal.host.JsonFiles;
import io.vminfo.sysevent.internal.xml.SafeXml;
import io.vminfo.sysevent.internal.xml.XmlElement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads a libvirt QEMU host tree: persistent definitions in {@code /etc/libvirt/qemu}, status files
 * of running domains in {@code /run/libvirt/qemu}, autostart links, disk images.
 */
public final class LibvirtHost {
  public static final int MAX_XML_BYTES = 4 * 1024 * 1024;

  private final HostFiles files;
  private final String fallbackServerUuid;
  private final Path configDir;
  private final Path statusDir;
  private final Path autostartDir;
  private volatile Optional<String> hostUuid = Optional.empty();

  public LibvirtHost(HostFiles files, String fallbackServerUuid) throws HostFileException {
    this.files = files;
    this.fallbackServerUuid = fallbackServerUuid;
    this.configDir = files.resolve("/etc/libvirt/qemu");
    this.statusDir = files.resolve("/run/libvirt/qemu");
    this.autostartDir = files.resolve("/etc/libvirt/qemu/autostart");
  }

  public HostFiles files() {
    return files;
  }

  public Path configDir() {
    return configDir;
  }

  public Path statusDir() {
    return statusDir;
  }

  public Path autostartDir() {
    return autostartDir;
  }

  /** The host's SMBIOS UUID ({@code /sys/class/dmi/id/product_uuid}), when readable and valid. */
  public Optional<String> reloadHostUuid() {
    Optional<String> uuid;
    try {
      uuid =
          files
              .readText(files.resolve("/sys/class/dmi/id/product_uuid"), 256)
              .map(String::strip)
              .filter(Uuids::isUuid)
              .map(s -> s.toLowerCase(java.util.Locale.ROOT));
    } catch (IOException e) {
      uuid = Optional.empty();
    }
    hostUuid = uuid;
    return uuid;
  }

  /** Domain names with a persistent or a status file. */
  public Set<String> domainNames() throws IOException {
    Set<String> out = new TreeSet<>();
    for (Path dir : new Path[] {configDir, statusDir}) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.list(dir)) {
        s.map(p -> p.getFileName().toString())
            .filter(LibvirtHost::isDomainFile)
            .map(n -> n.substring(0, n.length() - 4))
            .forEach(out::add);
      }
    }
    return out;
  }

  /** {@code <name>.xml}, not hidden, not a {@code .new} temp file. */
  public static boolean isDomainFile(String fileName) {
    return fileName.endsWith(".xml") && fileName.length() > 4 && !fileName.startsWith(".");
  }

  /** The domain's VM, or empty when it has neither a persistent nor a status file. */
  public Optional<Vm> load(String name) throws IOException {
    requireName(name);
    Path persistentFile = configDir.resolve(name + ".xml");
    Path statusFile = statusDir.resolve(name + ".xml");
    Optional<byte[]> persistent = files.readIfExists(persistentFile, MAX_XML_BYTES);
    Optional<byte[]> status = files.readIfExists(statusFile, MAX_XML_BYTES);
    if (persistent.isEmpty() && status.isEmpty()) {
      return Optional.empty();
    }
    Optional<DomainMapper.Status> st = Optional.empty();
    XmlElement domain;
    String what;
    if (status.isPresent()) {
      what = files.hostPath(statusFile);
      st = Optional.of(DomainMapper.status(SafeXml.parse(status.get(), what), what));
      domain = st.get().live();
    } else {
      what = files.hostPath(persistentFile);
      domain = SafeXml.parse(persistent.get(), what);
    }
    boolean autostart =
        Files.exists(autostartDir.resolve(name + ".xml"), LinkOption.NOFOLLOW_LINKS);
    ObjectNode vm = DomainMapper.map(name, domain, st, autostart, what);
    if (persistent.isEmpty()) {
      vm.put("transient", true);
    }
    vm.put("server_uuid", hostUuid.orElse(fallbackServerUuid));
    addDiskSizes(vm);
    vm.put("last_modified", lastModified(persistentFile, statusFile));
    return Optional.of(Vm.of(vm));
  }

  /**
   * The memory a running guest has now: the live domain's {@code <currentMemory>} in its status
   * file, which libvirt rewrites when the balloon changes (what {@code virsh dommemstat} calls
   * {@code actual}). Empty when the guest is not running or says nothing.
   */
  public java.util.OptionalLong balloonBytes(String name) throws IOException {
    requireName(name);
    Path statusFile = statusDir.resolve(name + ".xml");
    Optional<byte[]> status = files.readIfExists(statusFile, MAX_XML_BYTES);
    if (status.isEmpty()) {
      return java.util.OptionalLong.empty();
    }
    String what = files.hostPath(statusFile);
    XmlElement live = DomainMapper.status(SafeXml.parse(status.get(), what), what).live();
    return live.child("currentMemory")
        .flatMap(m -> DomainMapper.bytes(m.text(), m.attr("unit").orElse("KiB")))
        .map(java.util.OptionalLong::of)
        .orElse(java.util.OptionalLong.empty());
  }

  private void addDiskSizes(ObjectNode vm) {
    JsonNode disks = vm.get("disks");
    if (disks == null) {
      return;
    }
    for (JsonNode d : disks) {
      String path = d.path("path").asText("");
      if (!path.startsWith("/") || !(d instanceof ObjectNode disk)) {
        continue;
      }
      imageSizeBytes(path)
          .ifPresent(
              bytes ->
                  disk.set(
                      "size",
                      bytes % (1024 * 1024) == 0
                          ? JsonFiles.number(bytes / (1024 * 1024))
                          : JsonFiles.NODES.numberNode(bytes / (1024.0 * 1024.0))));
    }
  }

  /** Virtual size of a disk image: the qcow2 header's size field, else the file size. */
  public Optional<Long> imageSizeBytes(String hostPath) {
    try {
      Path p = files.resolve(hostPath);
      Optional<BasicFileAttributes> a = files.attributes(p);
      if (a.isEmpty() || !a.get().isRegularFile()) {
        return Optional.empty();
      }
      byte[] head = files.readPrefix(p, 32);
      if (head.length >= 32
          && head[0] == 'Q'
          && head[1] == 'F'
          && head[2] == 'I'
          && (head[3] & 0xff) == 0xfb) {
        return Optional.of(ByteBuffer.wrap(head, 24, 8).getLong());
      }
      return Optional.of(a.get().size());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private String lastModified(Path... inputs) throws IOException {
    long newest = 0;
    for (Path p : inputs) {
      Optional<BasicFileAttributes> a = files.attributes(p);
      if (a.isPresent()) {
        newest = Math.max(newest, a.get().lastModifiedTime().toMillis());
      }
    }
    return IsoMillis.format(Instant.ofEpochMilli(newest));
  }

  static void requireName(String name) throws HostFileException {
    if (name == null
        || name.isEmpty()
        || name.contains("/")
        || name.startsWith(".")
        || name.contains("\0")
        || name.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new HostFileException("BAD_NAME", "not a domain name: " + name);
    }
  }

  /** Whether a domain's files are gone (both), confirmed with a stat. */
  public boolean isGone(String name) {
    return !Files.exists(configDir.resolve(name + ".xml"), LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(statusDir.resolve(name + ".xml"), LinkOption.NOFOLLOW_LINKS);
  }

  /** For error messages about a missing file. */
  public static boolean isMissing(IOException e) {
    return e instanceof NoSuchFileException;
  }
}
