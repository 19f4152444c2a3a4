package io.vminfo.ittests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A SmartOS host's file tree in a directory, for an agent whose {@code host_root} points at it:
 * {@code etc/zones/index}, {@code etc/zones/<zonename>.xml} (zonecfg XML), {@code zones/<zone>/
 * config/{metadata,tags,routes}.json}, {@code zones/<zone>/lastexited}, {@code tmp/.sysinfo.json},
 * and optionally a {@code usr/sbin/zoneadm} stand-in. It changes the tree the way {@code vmadm}
 * would ({@link #create}, {@link #update}, {@link #delete}) and remembers what it wrote, so {@link
 * #differences(JsonNode)} can hold an agent's {@code /vms} against the truth.
 *
 * <p>Zone runtime state: without zoneadm (the default) the zones index carries it ({@code running}
 * / {@code installed}), which the agent picks up from the index's inotify event at once; with
 * {@link Builder#zoneadm(boolean)} the index says {@code installed} as on a real host and the
 * stand-in prints the running state, which the agent polls (every 5 s).
 *
 * <p>Files are written in {@link WriteMode#ATOMIC} mode by default (temp file + rename, what vmadm
 * and zonecfg do); {@link WriteMode#IN_PLACE} truncates and rewrites the file. Not thread-safe for
 * concurrent mutation; call it from one thread.
 */
public final class SmartOsHostTree {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** JSON equality where 1024 (int) and 1024 (long) are the same number, as in JSON text. */
  private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE =
      (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
      };

  /** How a file is replaced. */
  public enum WriteMode {
    /** Write {@code <name>.new} beside it, then rename it over the file. */
    ATOMIC,
    /** Truncate the file and write the new content into it. */
    IN_PLACE
  }

  private final Path root;
  private final String serverUuid;
  private final String datacenterName;
  private final boolean zoneadm;
  private final Clock clock;
  private final Map<String, ZoneSpec> zones = new TreeMap<>();
  private final Map<String, String> createTimestamps = new LinkedHashMap<>();
  private WriteMode writeMode = WriteMode.ATOMIC;
  private int debugId;

  private SmartOsHostTree(Builder b) {
    this.root = b.root;
    this.serverUuid = b.serverUuid;
    this.datacenterName = b.datacenterName;
    this.zoneadm = b.zoneadm;
    this.clock = b.clock;
  }

  /** An empty host (no zones, no zoneadm) at {@code root} with a random server uuid. */
  public static SmartOsHostTree create(Path root) throws IOException {
    return builder(root).build();
  }

  public static Builder builder(Path root) {
    return new Builder(root);
  }

  public Path root() {
    return root;
  }

  public String serverUuid() {
    return serverUuid;
  }

  public String datacenterName() {
    return datacenterName;
  }

  public boolean hasZoneadm() {
    return zoneadm;
  }

  /** How later writes replace files. */
  public SmartOsHostTree writeMode(WriteMode mode) {
    this.writeMode = Objects.requireNonNull(mode, "mode");
    return this;
  }

  public WriteMode writeMode() {
    return writeMode;
  }

  // ------------------------------------------------------------------ paths

  /** {@code rel} under the root; refuses anything that would leave it. */
  public Path path(String rel) {
    Path p = root.resolve(rel.startsWith("/") ? rel.substring(1) : rel).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException(rel + " leaves the host root " + root);
    }
    return p;
  }

  public Path zonesDir() {
    return root.resolve("etc/zones");
  }

  public Path indexFile() {
    return zonesDir().resolve("index");
  }

  public Path xmlFile(String zonename) {
    requireName(zonename);
    return zonesDir().resolve(zonename + ".xml");
  }

  public Path zoneDir(String zonename) {
    requireName(zonename);
    return root.resolve("zones").resolve(zonename);
  }

  public Path configDir(String zonename) {
    return zoneDir(zonename).resolve("config");
  }

  // ------------------------------------------------------------------ the truth

  /** The zones as last written, by uuid. */
  public Map<String, ZoneSpec> zones() {
    return Map.copyOf(zones);
  }

  public Optional<ZoneSpec> zone(String uuid) {
    return Optional.ofNullable(zones.get(uuid));
  }

  /**
   * The keys of the VM object the agent must show for {@code spec} (vmadm names and units): uuid,
   * zonename, zonepath, brand, alias, autoboot, owner_uuid, billing_id, image_uuid,
   * max_physical_memory, cpu_cap, hostname, create_timestamp, state, zone_state, nics,
   * customer_metadata, internal_metadata, tags, resolvers, firewall_enabled, server_uuid,
   * datacenter_name.
   */
  public ObjectNode expectedVm(ZoneSpec spec) {
    ObjectNode o = JSON.createObjectNode();
    o.put("uuid", spec.uuid());
    o.put("zonename", spec.uuid());
    o.put("zonepath", "/zones/" + spec.uuid());
    o.put("brand", spec.brand());
    o.put("alias", spec.alias());
    o.put("autoboot", spec.autoboot());
    o.put("owner_uuid", spec.ownerUuid());
    o.put("billing_id", spec.billingId());
    o.put("image_uuid", spec.imageUuid());
    o.put("max_physical_memory", spec.maxPhysicalMemory());
    o.put("cpu_cap", spec.cpuCap());
    o.put("hostname", spec.hostname());
    Optional.ofNullable(createTimestamps.get(spec.uuid()))
        .ifPresent(t -> o.put("create_timestamp", t));
    o.put("state", spec.state());
    o.put("zone_state", spec.zoneState());
    ArrayNode nics = o.putArray("nics");
    for (int i = 0; i < spec.nics().size(); i++) {
      ZoneSpec.Nic n = spec.nics().get(i);
      ObjectNode nic = nics.addObject();
      nic.put("interface", "net" + i);
      nic.put("mac", n.mac());
      nic.put("nic_tag", n.nicTag());
      nic.put("ip", n.ip());
      nic.put("netmask", n.netmask());
      if (i == 0) {
        nic.put("primary", true);
      }
    }
    o.set("customer_metadata", JSON.valueToTree(spec.customerMetadata()));
    o.set("internal_metadata", JSON.valueToTree(spec.internalMetadata()));
    o.set("tags", JSON.valueToTree(spec.tags()));
    o.putArray("resolvers");
    o.put("firewall_enabled", false);
    o.put("server_uuid", serverUuid);
    o.put("datacenter_name", datacenterName);
    return o;
  }

  /**
   * Where {@code vms} (an agent's {@code /vms} array, or any collection of VM objects) differs from
   * the tree: VMs missing or extra, and each expected key with another value. Empty when they
   * agree.
   */
  public List<String> differences(JsonNode vms) {
    List<JsonNode> list = new ArrayList<>();
    vms.forEach(list::add);
    return differences(list);
  }

  /** As {@link #differences(JsonNode)} for a collection of VM objects. */
  public List<String> differences(Collection<JsonNode> vms) {
    List<String> out = new ArrayList<>();
    Map<String, JsonNode> byUuid = new TreeMap<>();
    for (JsonNode vm : vms) {
      String uuid = vm.path("uuid").asText();
      if (byUuid.put(uuid, vm) != null) {
        out.add("VM " + uuid + " appears twice");
      }
    }
    for (ZoneSpec spec : zones.values()) {
      JsonNode vm = byUuid.get(spec.uuid());
      if (vm == null) {
        out.add("VM " + spec.uuid() + " (" + spec.alias() + ") is missing");
        continue;
      }
      expectedVm(spec)
          .properties()
          .forEach(
              e -> {
                JsonNode actual = vm.get(e.getKey());
                if (actual == null || !e.getValue().equals(NUMBERS_BY_VALUE, actual)) {
                  out.add(
                      "VM "
                          + spec.uuid()
                          + " "
                          + e.getKey()
                          + ": expected "
                          + e.getValue()
                          + ", got "
                          + actual);
                }
              });
    }
    for (String uuid : byUuid.keySet()) {
      if (!zones.containsKey(uuid)) {
        out.add("VM " + uuid + " should not exist");
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ vmadm-like changes

  /**
   * {@code vmadm create}: the zone's config files, then its index line, then its XML (the file
   * whose appearance makes the zone exist).
   */
  public ZoneSpec create(ZoneSpec spec) throws IOException {
    if (zones.containsKey(spec.uuid())) {
      throw new IllegalStateException("zone " + spec.uuid() + " exists already");
    }
    String z = spec.uuid();
    createTimestamps.put(z, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
    Files.createDirectories(configDir(z));
    writeConfig(spec, null);
    zones.put(z, spec);
    writeStates();
    writeFile(xmlFile(z), zoneXml(spec).getBytes(StandardCharsets.UTF_8));
    return spec;
  }

  /**
   * Many {@code vmadm create}s at once, as a provisioning burst or a restored host would make them:
   * every zone's config files, then one index write with all of them, then every XML. The index is
   * written once, not once per zone (which is quadratic for thousands of zones).
   */
  public List<ZoneSpec> createAll(List<ZoneSpec> specs) throws IOException {
    for (ZoneSpec spec : specs) {
      if (zones.containsKey(spec.uuid())) {
        throw new IllegalStateException("zone " + spec.uuid() + " exists already");
      }
    }
    String now = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    for (ZoneSpec spec : specs) {
      createTimestamps.put(spec.uuid(), now);
      Files.createDirectories(configDir(spec.uuid()));
      writeConfig(spec, null);
      zones.put(spec.uuid(), spec);
    }
    writeStates();
    for (ZoneSpec spec : specs) {
      writeFile(xmlFile(spec.uuid()), zoneXml(spec).getBytes(StandardCharsets.UTF_8));
    }
    return List.copyOf(specs);
  }

  /**
   * {@code vmadm update} (and {@code start}/{@code stop}): writes only the files whose content the
   * change affects: the XML for zone properties, the config JSON for metadata and tags, the index
   * (and zoneadm states, and {@code lastexited} on a stop) for the state.
   */
  public ZoneSpec update(ZoneSpec next) throws IOException {
    ZoneSpec prev = zones.get(next.uuid());
    if (prev == null) {
      throw new IllegalStateException("no zone " + next.uuid());
    }
    String z = next.uuid();
    zones.put(z, next);
    writeConfig(next, prev);
    if (!zoneXml(prev).equals(zoneXml(next))) {
      writeFile(xmlFile(z), zoneXml(next).getBytes(StandardCharsets.UTF_8));
    }
    if (!prev.state().equals(next.state())) {
      if (next.state().equals("stopped")) {
        long now = clock.instant().getEpochSecond();
        writeFile(
            zoneDir(z).resolve("lastexited"),
            (now + ".500000000 0\n").getBytes(StandardCharsets.US_ASCII));
      }
      writeStates();
    }
    return next;
  }

  /** {@link #update(ZoneSpec)} with a change to the current spec. */
  public ZoneSpec update(String uuid, UnaryOperator<ZoneSpec> change) throws IOException {
    ZoneSpec prev = zones.get(uuid);
    if (prev == null) {
      throw new IllegalStateException("no zone " + uuid);
    }
    return update(change.apply(prev));
  }

  /** {@code vmadm start} / {@code stop}. */
  public ZoneSpec setState(String uuid, String state) throws IOException {
    return update(uuid, s -> s.withState(state));
  }

  /** {@code vmadm delete}: the XML goes, then the index line, then the zone's directory. */
  public void delete(String uuid) throws IOException {
    if (zones.remove(uuid) == null) {
      throw new IllegalStateException("no zone " + uuid);
    }
    createTimestamps.remove(uuid);
    Files.deleteIfExists(xmlFile(uuid));
    writeStates();
    deleteTree(zoneDir(uuid));
  }

  /**
   * Replaces (or creates) a file under the root with raw bytes in the current write mode, for
   * hostile or broken content the typed methods would never write. The truth is not changed.
   */
  public void writeRaw(String rel, byte[] content) throws IOException {
    Path p = path(rel);
    Files.createDirectories(p.getParent());
    writeFile(p, content);
  }

  /** Writes a new {@code sysinfo} (the agent reconciles everything when it changes). */
  public void writeSysinfo() throws IOException {
    ObjectNode s = JSON.createObjectNode();
    s.put("Live Image", "20260601T000000Z");
    s.put("System Type", "SunOS");
    s.put("Boot Time", Long.toString(clock.instant().getEpochSecond()));
    s.put("Datacenter Name", datacenterName);
    s.put("UUID", serverUuid);
    s.put("Hostname", "it-" + serverUuid.substring(0, 8));
    Files.createDirectories(root.resolve("tmp"));
    writeFile(
        root.resolve("tmp/.sysinfo.json"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s));
  }

  // ------------------------------------------------------------------ file formats

  private void writeConfig(ZoneSpec next, ZoneSpec prev) throws IOException {
    Path config = configDir(next.uuid());
    if (prev == null
        || !prev.customerMetadata().equals(next.customerMetadata())
        || !prev.internalMetadata().equals(next.internalMetadata())) {
      ObjectNode m = JSON.createObjectNode();
      m.set("customer_metadata", JSON.valueToTree(new TreeMap<>(next.customerMetadata())));
      m.set("internal_metadata", JSON.valueToTree(new TreeMap<>(next.internalMetadata())));
      writeFile(config.resolve("metadata.json"), JSON.writeValueAsBytes(m));
    }
    if (prev == null || !prev.tags().equals(next.tags())) {
      writeFile(config.resolve("tags.json"), JSON.writeValueAsBytes(new TreeMap<>(next.tags())));
    }
    if (prev == null) {
      writeFile(config.resolve("routes.json"), "{}".getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The index (and, with zoneadm, the stand-in's runtime states). */
  private void writeStates() throws IOException {
    StringBuilder index =
        new StringBuilder(
            "# DO NOT EDIT: this file is automatically generated by zoneadm(8) and zonecfg(8)\n"
                + "global:installed:/\n");
    StringBuilder states = new StringBuilder("# <zonename> <state> [<zoneid>]\n");
    int zoneid = 0;
    for (ZoneSpec z : zones.values()) {
      zoneid++;
      String indexState = zoneadm ? "installed" : z.zoneState();
      index
          .append(z.uuid())
          .append(':')
          .append(indexState)
          .append(":/zones/")
          .append(z.uuid())
          .append(':')
          .append(z.uuid())
          .append('\n');
      states.append(z.uuid()).append(' ').append(z.zoneState());
      if (z.state().equals("running")) {
        states.append(' ').append(zoneid);
      }
      states.append('\n');
    }
    if (zoneadm) {
      writeFile(
          root.resolve("var/smartos-host-tree/zone-states"),
          states.toString().getBytes(StandardCharsets.UTF_8));
    }
    writeFile(indexFile(), index.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The zonecfg XML this tree writes for {@code s} (the attributes vmload reads), e.g. to derive
   * broken or hostile variants for {@link #writeRaw}.
   */
  public String zoneXml(ZoneSpec s) {
    StringBuilder x = new StringBuilder(2048);
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append(
            "<!DOCTYPE zone PUBLIC \"-//Sun Microsystems Inc//DTD Zones//EN\" "
                + "\"file:///usr/share/lib/xml/dtd/zonecfg.dtd.1\">\n")
        .append("<zone name=\"")
        .append(s.uuid())
        .append("\" zonepath=\"/zones/")
        .append(s.uuid())
        .append("\" autoboot=\"")
        .append(s.autoboot())
        .append("\" brand=\"")
        .append(s.brand())
        .append("\" ip-type=\"exclusive\" limitpriv=\"default\" debugid=\"")
        .append(debugIdOf(s.uuid()))
        .append("\">\n");
    attr(x, "vm-version", "1");
    attr(x, "create-timestamp", createTimestamps.getOrDefault(s.uuid(), ""));
    attr(x, "dataset-uuid", s.imageUuid());
    rctl(x, "zone.max-physical-memory", s.maxPhysicalMemory() * 1024 * 1024);
    rctl(x, "zone.max-locked-memory", s.maxPhysicalMemory() * 1024 * 1024);
    rctl(x, "zone.cpu-cap", s.cpuCap());
    attr(x, "billing-id", s.billingId());
    attr(x, "owner-uuid", s.ownerUuid());
    attr(
        x, "alias", Base64.getEncoder().encodeToString(s.alias().getBytes(StandardCharsets.UTF_8)));
    attr(x, "hostname", s.hostname());
    for (int i = 0; i < s.nics().size(); i++) {
      ZoneSpec.Nic n = s.nics().get(i);
      x.append("  <network physical=\"net")
          .append(i)
          .append("\" mac-addr=\"")
          .append(n.mac())
          .append("\" global-nic=\"")
          .append(escape(n.nicTag()))
          .append("\">\n");
      netAttr(x, "ip", n.ip());
      netAttr(x, "netmask", n.netmask());
      if (i == 0) {
        netAttr(x, "primary", "true");
      }
      x.append("  </network>\n");
    }
    x.append("</zone>\n");
    return x.toString();
  }

  private final Map<String, Integer> debugIds = new LinkedHashMap<>();

  private int debugIdOf(String uuid) {
    return debugIds.computeIfAbsent(uuid, u -> ++debugId);
  }

  private static void attr(StringBuilder x, String name, String value) {
    x.append("  <attr name=\"")
        .append(name)
        .append("\" type=\"string\" value=\"")
        .append(escape(value))
        .append("\"/>\n");
  }

  private static void netAttr(StringBuilder x, String name, String value) {
    x.append("    <net-attr name=\"")
        .append(name)
        .append("\" value=\"")
        .append(escape(value))
        .append("\"/>\n");
  }

  private static void rctl(StringBuilder x, String name, long limit) {
    x.append("  <rctl name=\"")
        .append(name)
        .append("\">\n")
        .append("    <rctl-value priv=\"privileged\" limit=\"")
        .append(limit)
        .append("\" action=\"deny\"/>\n  </rctl>\n");
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        case '\n' -> b.append("&#10;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private void writeFile(Path file, byte[] content) throws IOException {
    if (writeMode == WriteMode.ATOMIC) {
      Path tmp = file.resolveSibling(file.getFileName() + ".new");
      Files.write(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.write(
          file,
          content,
          StandardOpenOption.CREATE,
          StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void requireName(String zonename) {
    if (zonename == null
        || zonename.isEmpty()
        || zonename.contains("/")
        || zonename.startsWith(".")) {
      throw new IllegalArgumentException("not a zone name: " + zonename);
    }
  }

  // ------------------------------------------------------------------ builder

  /** Sets up the tree: identity of the host and whether it has a zoneadm. */
  public static final class Builder {
    private final Path root;
    private String serverUuid = UUID.randomUUID().toString();
    private String datacenterName = "it-dc-1";
    private boolean zoneadm;
    private Clock clock = Clock.systemUTC();

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    public Builder serverUuid(String uuid) {
      this.serverUuid = UUID.fromString(uuid).toString();
      return this;
    }

    public Builder datacenterName(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("datacenter name must not be blank");
      }
      this.datacenterName = name;
      return this;
    }

    /** Installs the {@code usr/sbin/zoneadm} stand-in (runtime states polled by the agent). */
    public Builder zoneadm(boolean withZoneadm) {
      this.zoneadm = withZoneadm;
      return this;
    }

    /** The clock for create timestamps and {@code lastexited}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Writes the skeleton (empty index, sysinfo, zoneadm if asked) and returns the tree. */
    public SmartOsHostTree build() throws IOException {
      if (Files.exists(root.resolve("etc/zones/index"))) {
        throw new IOException(root + " already holds a host tree");
      }
      SmartOsHostTree t = new SmartOsHostTree(this);
      Files.createDirectories(t.zonesDir());
      Files.createDirectories(root.resolve("zones"));
      t.writeSysinfo();
      if (zoneadm) {
        Path bin = Files.createDirectories(root.resolve("usr/sbin")).resolve("zoneadm");
        try (InputStream in = SmartOsHostTree.class.getResourceAsStream("zoneadm")) {
          if (in == null) {
            throw new IOException("zoneadm stand-in missing from the classpath");
          }
          Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("var/smartos-host-tree"));
      }
      t.writeStates();
      return t;
    }
  }
}
