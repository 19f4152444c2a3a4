package io.vminfo.benchmarks.sysevent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Generates a SmartOS host tree with N realistic zones (XML, index, config JSON, sysinfo). Public
 * for the agent benchmarks, which run the whole agent on such a tree.
 */
public final class SmartOsTree {
  public static final String SERVER_UUID = "44454c4c-4800-1057-8058-c4c04f4a5a31";

  public final Path root;
  public final List<String> zones;

  private SmartOsTree(Path root, List<String> zones) {
    this.root = root;
    this.zones = List.copyOf(zones);
  }

  public static SmartOsTree generate(Path root, int count) throws IOException {
    Path etc = Files.createDirectories(root.resolve("etc/zones"));
    Files.createDirectories(root.resolve("tmp"));
    Files.writeString(
        root.resolve("tmp/.sysinfo.json"),
        "{\"UUID\":\"" + SERVER_UUID + "\",\"Datacenter Name\":\"bench-1\"}");
    StringBuilder index = new StringBuilder("# generated\nglobal:installed:/\n");
    List<String> zones = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String uuid = new UUID(0x5f0a5b8e2c614b8fL, 0x9e0a000000000000L + i).toString();
      zones.add(uuid);
      index
          .append(uuid)
          .append(":installed:/zones/")
          .append(uuid)
          .append(':')
          .append(uuid)
          .append('\n');
      Files.writeString(etc.resolve(uuid + ".xml"), xml(uuid, i, "zone-" + i));
      Path config = Files.createDirectories(root.resolve("zones/" + uuid + "/config"));
      Files.writeString(
          config.resolve("metadata.json"),
          "{\"customer_metadata\":{\"role\":\"web\",\"n\":\""
              + i
              + "\"},\"internal_metadata\":{}}");
      Files.writeString(config.resolve("tags.json"), "{\"env\":\"bench\",\"i\":" + i + "}");
      Files.writeString(config.resolve("routes.json"), "{}");
    }
    Files.writeString(etc.resolve("index"), index.toString());
    return new SmartOsTree(root, zones);
  }

  /** Rewrites zone {@code i}'s XML with a new alias the zonecfg way (temp file, rename over). */
  public void renameOver(int i, String alias) throws IOException {
    Path target = root.resolve("etc/zones/" + zones.get(i) + ".xml");
    Path tmp = target.resolveSibling(zones.get(i) + ".xml.tmp");
    Files.writeString(tmp, xml(zones.get(i), i, alias));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Writes the XML to a temp file only (the rename is timed separately). */
  public Path prepare(int i, String alias) throws IOException {
    Path tmp = root.resolve("etc/zones/" + zones.get(i) + ".xml.tmp");
    Files.writeString(tmp, xml(zones.get(i), i, alias));
    return tmp;
  }

  public Path xmlPath(int i) {
    return root.resolve("etc/zones/" + zones.get(i) + ".xml");
  }

  static String xml(String uuid, int i, String alias) {
    String b64 = Base64.getEncoder().encodeToString(alias.getBytes(StandardCharsets.UTF_8));
    String mac =
        String.format("90:b8:d0:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<!DOCTYPE zone PUBLIC \"-//Sun Microsystems Inc//DTD Zones//EN\" \"file:///usr/share/lib/xml/dtd/zonecfg.dtd.1\">\n"
        + "<zone name=\""
        + uuid
        + "\" zonepath=\"/zones/"
        + uuid
        + "\" autoboot=\"true\" brand=\"joyent\" ip-type=\"exclusive\" limitpriv=\"default\" debugid=\""
        + i
        + "\">\n"
        + "  <attr name=\"vm-version\" type=\"string\" value=\"1\"/>\n"
        + "  <attr name=\"create-timestamp\" type=\"string\" value=\"2026-01-05T09:12:44.310Z\"/>\n"
        + "  <attr name=\"dataset-uuid\" type=\"string\" value=\"2f6bb9a4-7c1e-4e0b-a3d5-b1c7e2f0a811\"/>\n"
        + "  <rctl name=\"zone.cpu-shares\"><rctl-value priv=\"privileged\" limit=\"100\" action=\"none\"/></rctl>\n"
        + "  <rctl name=\"zone.zfs-io-priority\"><rctl-value priv=\"privileged\" limit=\"100\" action=\"none\"/></rctl>\n"
        + "  <rctl name=\"zone.max-lwps\"><rctl-value priv=\"privileged\" limit=\"2000\" action=\"deny\"/></rctl>\n"
        + "  <rctl name=\"zone.max-physical-memory\"><rctl-value priv=\"privileged\" limit=\"1073741824\" action=\"deny\"/></rctl>\n"
        + "  <rctl name=\"zone.max-locked-memory\"><rctl-value priv=\"privileged\" limit=\"1073741824\" action=\"deny\"/></rctl>\n"
        + "  <rctl name=\"zone.max-swap\"><rctl-value priv=\"privileged\" limit=\"2147483648\" action=\"deny\"/></rctl>\n"
        + "  <attr name=\"billing-id\" type=\"string\" value=\"4d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b10\"/>\n"
        + "  <attr name=\"owner-uuid\" type=\"string\" value=\"930896af-bf8c-48d4-885c-6573a94b1853\"/>\n"
        + "  <attr name=\"alias\" type=\"string\" value=\""
        + b64
        + "\"/>\n"
        + "  <attr name=\"hostname\" type=\"string\" value=\"zone-"
        + i
        + "\"/>\n"
        + "  <attr name=\"resolvers\" type=\"string\" value=\"10.88.0.2,10.88.0.3\"/>\n"
        + "  <network physical=\"net0\" mac-addr=\""
        + mac
        + "\" global-nic=\"external\">\n"
        + "    <net-attr name=\"ip\" value=\"10.1."
        + (i / 250)
        + "."
        + (i % 250 + 1)
        + "\"/>\n"
        + "    <net-attr name=\"netmask\" value=\"255.255.0.0\"/>\n"
        + "    <net-attr name=\"gateway\" value=\"10.1.0.1\"/>\n"
        + "    <net-attr name=\"primary\" value=\"true\"/>\n"
        + "  </network>\n"
        + "  <network physical=\"net1\" mac-addr=\""
        + mac.replace("90:b8", "92:b8")
        + "\" global-nic=\"internal\">\n"
        + "    <net-attr name=\"ip\" value=\"192.168."
        + (i / 250)
        + "."
        + (i % 250 + 1)
        + "\"/>\n"
        + "    <net-attr name=\"netmask\" value=\"255.255.0.0\"/>\n"
        + "  </network>\n"
        + "</zone>\n";
  }
}
