package io.vminfo.sysevent.internal.smartos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Vm;
import io.vminfo.core.text.IsoMillis;
import io.vminfo.core.text.Uuids;
import io.vminfo.sysevent.internal.host.CommandRunner;
import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.HostFiles;
import io.vminfo.sysevent.internal.host.JsonFiles;
import io.vminfo.sysevent.internal.xml.SafeXml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one SmartOS host tree and builds vmadm VM objects from it, as vmload does: the zone XML,
 * the zones index, {@code zoneadm list -pc} and {@code zfs list} where those tools exist, the
 * zone's config JSON files, {@code lastexited} and sysinfo.
 */
public final class SmartOsHost {
  private static final Logger log = LoggerFactory.getLogger(SmartOsHost.class);

  public static final int MAX_XML_BYTES = 4 * 1024 * 1024;
  public static final int MAX_JSON_BYTES = 16 * 1024 * 1024;
  public static final int MAX_INDEX_BYTES = 16 * 1024 * 1024;
  public static final List<String> CONFIG_FILES =
      List.of("metadata.json", "tags.json", "routes.json");

  private final HostFiles files;
  private final CommandRunner runner;
  private final String fallbackServerUuid;
  private final Path zonesDir;
  private final Path indexFile;
  private final Path sysinfoFile;
  private final Path zoneadm;
  private final Path zfs;
  private final Path zoneevent;
  private volatile CachedIndex cachedIndex;
  private volatile Sysinfo sysinfo = Sysinfo.NONE;

  public SmartOsHost(HostFiles files, CommandRunner runner, String fallbackServerUuid)
      throws HostFileException {
    this.files = files;
    this.runner = runner;
    this.fallbackServerUuid = fallbackServerUuid;
    this.zonesDir = files.resolve("/etc/zones");
    this.indexFile = files.resolve("/etc/zones/index");
    this.sysinfoFile = files.resolve("/tmp/.sysinfo.json");
    this.zoneadm = files.resolve("/usr/sbin/zoneadm");
    this.zfs = files.resolve("/usr/sbin/zfs");
    this.zoneevent = files.resolve("/usr/vm/sbin/zoneevent");
  }

  public HostFiles files() {
    return files;
  }

  public Path zonesDir() {
    return zonesDir;
  }

  public Path sysinfoFile() {
    return sysinfoFile;
  }

  public Path xmlFile(String zonename) throws HostFileException {
    requireZonename(zonename);
    return zonesDir.resolve(zonename + ".xml");
  }

  /** The zone's directory in this tree ({@code zonepath} as the host sees it). */
  public Path zoneDir(String zonepath) throws HostFileException {
    return files.resolve(zonepath);
  }

  public boolean hasZoneadm() {
    return CommandRunner.usable(zoneadm);
  }

  /** SmartOS's zone state event tool, when the host has it. */
  public Optional<Path> zoneevent() {
    return CommandRunner.usable(zoneevent) ? Optional.of(zoneevent) : Optional.empty();
  }

  public boolean hasZfs() {
    return CommandRunner.usable(zfs);
  }

  // ---------------------------------------------------------------- inputs

  /** Re-reads sysinfo; a missing file is no sysinfo, a bad one an exception. */
  public Sysinfo reloadSysinfo() throws IOException {
    Optional<byte[]> bytes = files.readIfExists(sysinfoFile, MAX_JSON_BYTES);
    Sysinfo s =
        bytes.isPresent()
            ? Sysinfo.of(JsonFiles.parseObject(bytes.get(), files.hostPath(sysinfoFile)))
            : Sysinfo.NONE;
    sysinfo = s;
    return s;
  }

  public Sysinfo sysinfo() {
    return sysinfo;
  }

  /**
   * The zones index, re-read only when the file changed (by mtime, size and inode), so partial
   * reloads stay cheap on hosts with thousands of zones. Empty when the file does not exist.
   */
  public ZoneIndex index() throws IOException {
    Optional<BasicFileAttributes> attrs = files.attributes(indexFile);
    if (attrs.isEmpty()) {
      return new ZoneIndex(java.util.Map.of(), List.of());
    }
    BasicFileAttributes a = attrs.get();
    CachedIndex c = cachedIndex;
    if (c != null && c.matches(a)) {
      return c.index;
    }
    long readAt = System.currentTimeMillis();
    byte[] bytes = files.read(indexFile, MAX_INDEX_BYTES);
    ZoneIndex index = ZoneIndex.parse(new String(bytes, StandardCharsets.UTF_8));
    if (!index.badLines().isEmpty()) {
      log.warn(
          "{}: ignoring {} malformed lines, e.g. {}",
          files.hostPath(indexFile),
          index.badLines().size(),
          index.badLines().get(0));
    }
    cachedIndex = new CachedIndex(a.lastModifiedTime(), a.size(), a.fileKey(), readAt, index);
    return index;
  }

  /** {@code zoneadm list -pc}, when zoneadm exists in the tree. */
  public Optional<ZoneadmList> zoneadmList() throws IOException {
    if (!hasZoneadm()) {
      return Optional.empty();
    }
    CommandRunner.Result r = runner.run(zoneadm, "list", "-pc");
    if (r.exitCode() != 0) {
      throw new IOException("zoneadm list -pc exited " + r.exitCode() + ": " + r.stderr());
    }
    return Optional.of(ZoneadmList.parse(r.stdout()));
  }

  /** {@code zfs list -Hp} of the given datasets (or all when none given), when zfs exists. */
  public Optional<ZfsList> zfsList(List<String> datasets) throws IOException {
    if (!hasZfs()) {
      return Optional.empty();
    }
    List<String> args = new ArrayList<>(List.of("list", "-Hp", "-o", ZfsList.COLUMNS));
    if (datasets.isEmpty()) {
      args.addAll(List.of("-t", "filesystem,volume"));
    } else {
      args.addAll(datasets);
    }
    // A missing dataset makes zfs exit 1 while still listing the others: use what it printed.
    CommandRunner.Result r = runner.run(zfs, args.toArray(String[]::new));
    return Optional.of(ZfsList.parse(r.stdout()));
  }

  /** Zone names with an XML file (zonecfg templates such as SUNWdefault are left out). */
  public Set<String> xmlZonenames() throws IOException {
    Set<String> out = new TreeSet<>();
    if (!Files.isDirectory(zonesDir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(zonesDir)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".xml"))
          .map(n -> n.substring(0, n.length() - 4))
          .filter(Uuids::isUuid)
          .forEach(out::add);
    }
    return out;
  }

  // ---------------------------------------------------------------- building VMs

  /** Where a zone lives: its index entry (if any) and the paths that follow from it. */
  public record ZoneRef(String zonename, String uuid, String zonepath, String indexState) {}

  /**
   * Identifies a zone from the index, zoneadm, or its name. Throws when the zone is not known
   * anywhere and its name is no UUID (so it cannot be a vmadm VM).
   */
  public ZoneRef ref(String zonename, ZoneIndex index, Optional<ZoneadmList> zoneadm)
      throws HostFileException {
    requireZonename(zonename);
    Optional<ZoneIndex.Entry> e = index.get(zonename);
    Optional<ZoneadmList.Zone> z = zoneadm.flatMap(l -> l.get(zonename));
    String uuid =
        e.flatMap(ZoneIndex.Entry::uuid)
            .or(() -> z.map(ZoneadmList.Zone::uuid).filter(Uuids::isUuid))
            .orElse(Uuids.isUuid(zonename) ? zonename : null);
    if (uuid == null || !Uuids.isUuid(uuid)) {
      throw new HostFileException(
          "NO_UUID", "zone " + zonename + " has no UUID in " + files.hostPath(indexFile));
    }
    String zonepath =
        e.map(ZoneIndex.Entry::zonepath)
            .filter(p -> !p.isEmpty())
            .or(() -> z.map(ZoneadmList.Zone::zonepath))
            .orElse("/zones/" + zonename);
    String state = e.map(ZoneIndex.Entry::state).orElse("configured");
    return new ZoneRef(zonename, uuid.toLowerCase(java.util.Locale.ROOT), zonepath, state);
  }

  /** Reads everything about one zone and builds its VM object. */
  public Vm loadZone(ZoneRef ref, Optional<ZoneadmList> zoneadmList, Optional<ZfsList> zfsList)
      throws IOException {
    Path xml = xmlFile(ref.zonename());
    ObjectNode vm = zoneXml(xml);
    JsonNode name = vm.get("zonename");
    if (name == null || !ref.zonename().equals(name.asText())) {
      throw new HostFileException(
          "PARSE_ERROR",
          files.hostPath(xml) + ": zone name " + name + " does not match the file name");
    }
    vm.remove("device");
    Optional<ZoneadmList.Zone> z = zoneadmList.flatMap(l -> l.get(ref.zonename()));
    vm.put("uuid", ref.uuid());
    vm.put("zonepath", ref.zonepath());
    String zoneState = z.map(ZoneadmList.Zone::state).orElse(ref.indexState());
    vm.put("zone_state", zoneState);
    if (z.isPresent() && z.get().zoneid().isPresent()) {
      vm.put("zoneid", z.get().zoneid().getAsLong());
    } else {
      vm.putNull("zoneid");
    }
    if (!vm.has("state")) {
      vm.put("state", zoneState.equals("installed") ? "stopped" : zoneState);
    }
    JsonNode provisioning = vm.path("provisioning");
    if (vm.path("state").asText().equals("stopped")
        && provisioning.isBoolean()
        && provisioning.booleanValue()) {
      vm.put("state", "provisioning"); // vmload: a stopped zone with the provisioning marker
    }
    if (isTruthy(vm.path("failed"))) {
      vm.put("state", "failed"); // vmload: any "failed" attr value JavaScript deems true
    }
    Path zoneDir = zoneDir(ref.zonepath());
    applyConfig(vm, zoneDir);
    if (!"running".equals(zoneState)) {
      applyLastExited(vm, zoneDir);
    }
    if (!vm.has("resolvers")) {
      vm.putArray("resolvers");
    }
    if (!vm.has("firewall_enabled")) {
      vm.put("firewall_enabled", false);
    }
    Sysinfo s = sysinfo;
    vm.put("server_uuid", s.serverUuid().orElse(fallbackServerUuid));
    s.datacenterName().ifPresent(dc -> vm.put("datacenter_name", dc));
    zfsList.ifPresent(l -> applyZfs(vm, ref, l));
    vm.put("last_modified", lastModified(xml, zoneDir));
    return Vm.of(vm);
  }

  /** JavaScript truthiness of a mapped value: vmload tests {@code vmobj.failed} that way. */
  private static boolean isTruthy(JsonNode v) {
    if (v.isMissingNode() || v.isNull()) {
      return false;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.doubleValue() != 0;
    }
    return !v.isTextual() || !v.textValue().isEmpty();
  }

  /** The datasets {@code zfs list} should report for one zone: its root and its zvols. */
  public List<String> datasetsOf(ZoneRef ref) throws IOException {
    List<String> out = new ArrayList<>();
    out.add(ref.zonepath().startsWith("/") ? ref.zonepath().substring(1) : ref.zonepath());
    try {
      JsonNode disks = zoneXml(xmlFile(ref.zonename())).get("disks");
      if (disks != null) {
        for (JsonNode d : disks) {
          zvolDataset(d.path("path").asText("")).ifPresent(out::add);
        }
      }
    } catch (NoSuchFileException e) {
      // no XML: the root dataset is all we can name
    }
    return out;
  }

  /** Replaces the config-derived keys of {@code current} (a partial reload). */
  public Vm withFreshConfig(Vm current) throws IOException {
    return withFresh(
        current,
        (vm, zoneDir) -> {
          for (String k : List.of("customer_metadata", "internal_metadata", "tags", "routes")) {
            vm.remove(k);
          }
          applyConfig(vm, zoneDir);
        });
  }

  /** Replaces exit status keys of {@code current} from {@code lastexited} (a partial reload). */
  public Vm withFreshLastExited(Vm current) throws IOException {
    return withFresh(
        current,
        (vm, zoneDir) -> {
          vm.remove("exit_status");
          vm.remove("exit_timestamp");
          if (!"running".equals(vm.path("zone_state").asText())) {
            applyLastExited(vm, zoneDir);
          }
        });
  }

  @FunctionalInterface
  private interface Edit {
    void apply(ObjectNode vm, Path zoneDir) throws IOException;
  }

  private Vm withFresh(Vm current, Edit edit) throws IOException {
    String zonepath =
        current
            .text("zonepath")
            .orElseThrow(() -> new IOException("VM " + current.uuid() + " has no zonepath"));
    String zonename =
        current
            .zonename()
            .orElseThrow(() -> new IOException("VM " + current.uuid() + " has no zonename"));
    Path zoneDir = zoneDir(zonepath);
    ObjectNode vm = current.toJson();
    edit.apply(vm, zoneDir);
    vm.put("last_modified", lastModified(xmlFile(zonename), zoneDir));
    return Vm.of(vm);
  }

  private ObjectNode zoneXml(Path xml) throws IOException {
    byte[] bytes = files.read(xml, MAX_XML_BYTES);
    String what = files.hostPath(xml);
    return ZoneXmlMapper.map(SafeXml.parse(bytes, what), what);
  }

  private void applyConfig(ObjectNode vm, Path zoneDir) throws IOException {
    Path config = zoneDir.resolve("config");
    Optional<ObjectNode> metadata = readJson(config.resolve("metadata.json"));
    if (metadata.isPresent()) {
      ObjectNode m = metadata.get();
      vm.set("customer_metadata", objectOrEmpty(m.get("customer_metadata")));
      vm.set("internal_metadata", objectOrEmpty(m.get("internal_metadata")));
    }
    readJson(config.resolve("tags.json")).ifPresent(t -> vm.set("tags", t));
    readJson(config.resolve("routes.json")).ifPresent(r -> vm.set("routes", r));
  }

  private void applyLastExited(ObjectNode vm, Path zoneDir) throws IOException {
    Path file = zoneDir.resolve("lastexited");
    Optional<String> text = files.readText(file, 4096);
    if (text.isEmpty()) {
      return;
    }
    String[] fields = text.get().strip().split("\\s+");
    if (fields.length != 2) {
      throw new HostFileException(
          "PARSE_ERROR",
          files.hostPath(file) + ": wrong number of fields in [" + text.get().strip() + "]");
    }
    try {
      long stat = Long.parseLong(fields[1]);
      long exitStatus;
      if (stat == -1) {
        exitStatus = 0; // OS-3429: -1 marks a normal exit
      } else if ((stat & 0xff) == 0) {
        exitStatus = stat >> 8;
      } else {
        exitStatus = -(stat & 0xff);
      }
      vm.put("exit_status", exitStatus);
      double secs = Double.parseDouble(fields[0]);
      vm.put("exit_timestamp", IsoMillis.format(Instant.ofEpochMilli(Math.round(secs * 1000))));
    } catch (NumberFormatException e) {
      throw new HostFileException(
          "PARSE_ERROR", files.hostPath(file) + ": not numbers: [" + text.get().strip() + "]");
    }
  }

  private void applyZfs(ObjectNode vm, ZoneRef ref, ZfsList zfsList) {
    Optional<ZfsList.Dataset> root =
        zfsList
            .byMountpoint(ref.zonepath())
            .or(() -> zfsList.get(ref.zonepath().substring(Math.min(1, ref.zonepath().length()))));
    root.ifPresent(
        ds -> {
          ds.quota().ifPresent(q -> vm.set("quota", gibibytes(q)));
          vm.put("zfs_filesystem", ds.name());
          vm.put("zpool", ds.name().split("/", 2)[0]);
        });
    JsonNode disks = vm.get("disks");
    if (disks instanceof ArrayNode arr) {
      for (JsonNode d : arr) {
        if (!(d instanceof ObjectNode disk)) {
          continue;
        }
        zvolDataset(disk.path("path").asText(""))
            .flatMap(zfsList::get)
            .ifPresent(
                ds -> {
                  ds.volsize()
                      .ifPresent(v -> disk.set("size", ZoneXmlMapper.mebibytes(Long.toString(v))));
                  disk.put("zfs_filesystem", ds.name());
                  disk.put("zpool", ds.name().split("/", 2)[0]);
                });
      }
    }
  }

  private static JsonNode gibibytes(long bytes) {
    long gib = 1024L * 1024 * 1024;
    return bytes % gib == 0
        ? JsonFiles.number(bytes / gib)
        : JsonFiles.NODES.numberNode(bytes / (double) gib);
  }

  static Optional<String> zvolDataset(String path) {
    for (String prefix : List.of("/dev/zvol/rdsk/", "/dev/zvol/dsk/")) {
      if (path.startsWith(prefix) && path.length() > prefix.length()) {
        return Optional.of(path.substring(prefix.length()));
      }
    }
    return Optional.empty();
  }

  private Optional<ObjectNode> readJson(Path file) throws IOException {
    Optional<byte[]> bytes = files.readIfExists(file, MAX_JSON_BYTES);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(JsonFiles.parseObject(bytes.get(), files.hostPath(file)));
  }

  private static JsonNode objectOrEmpty(JsonNode n) {
    return n != null && n.isObject() ? n : JsonFiles.NODES.objectNode();
  }

  /** Newest mtime of the files a VM is built from (vmload's last_modified). */
  private String lastModified(Path xml, Path zoneDir) throws IOException {
    long newest = 0;
    List<Path> inputs = new ArrayList<>(5);
    inputs.add(xml);
    Path config = zoneDir.resolve("config");
    for (String f : CONFIG_FILES) {
      inputs.add(config.resolve(f));
    }
    inputs.add(zoneDir.resolve("lastexited"));
    for (Path p : inputs) {
      Optional<BasicFileAttributes> a;
      try {
        a = files.entryAttributes(p);
      } catch (HostFileException e) {
        continue; // refused: not an input
      }
      if (a.isPresent() && a.get().isRegularFile()) {
        newest = Math.max(newest, a.get().lastModifiedTime().toMillis());
      }
    }
    return IsoMillis.format(Instant.ofEpochMilli(newest));
  }

  static void requireZonename(String zonename) throws HostFileException {
    if (zonename == null
        || zonename.isEmpty()
        || zonename.length() > 64
        || zonename.contains("/")
        || zonename.startsWith(".")
        || zonename.contains("\0")) {
      throw new HostFileException("BAD_NAME", "not a zone name: " + zonename);
    }
  }

  /**
   * A file's mtime moves in timestamp ticks (a few ms), so an in-place rewrite of the same size in
   * the tick of the read leaves mtime, size and inode as they were. Like git's "racily clean" rule,
   * the cache is trusted only for a file that had been left alone for over a second when it was
   * read; a file read while it was being written is read again.
   */
  private record CachedIndex(
      java.nio.file.attribute.FileTime mtime,
      long size,
      Object fileKey,
      long readAtMillis,
      ZoneIndex index) {
    private static final long RACY_MILLIS = 1000;

    boolean matches(BasicFileAttributes a) {
      return a.lastModifiedTime().equals(mtime)
          && a.size() == size
          && java.util.Objects.equals(a.fileKey(), fileKey)
          && mtime.toMillis() + RACY_MILLIS < readAtMillis;
    }
  }
}
