package io.vminfo.sysevent.internal.smartos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.sysevent.internal.xml.SafeXml;
import io.vminfo.sysevent.internal.xml.XmlElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The vmload property table in vminfo-sysevent's README is the one the mapper uses, and every row
 * of it is exercised by an own-vmload fixture (whose expected output came from vmload itself).
 */
class VmloadPropertyTableTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| `([^`]+)` \\| `([^`]+)` \\| [^|]+ \\| ([^|]+) \\|$");
  private static final Map<String, VmloadProperties.Conversion> WORDS =
      Map.of(
          "text as is", VmloadProperties.Conversion.TEXT,
          "boolean", VmloadProperties.Conversion.BOOLEAN,
          "number", VmloadProperties.Conversion.NUMBER,
          "list (split", VmloadProperties.Conversion.LIST,
          "list of numbers", VmloadProperties.Conversion.NUMBER_LIST,
          "base64", VmloadProperties.Conversion.BASE64,
          "bytes → MiB", VmloadProperties.Conversion.MEBIBYTES,
          "dropped", VmloadProperties.Conversion.IGNORED);

  @Test
  void theReadmeTableIsTheMappersTable() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String table =
        readme.substring(
            readme.indexOf("<!-- vmload-table"), readme.indexOf("<!-- /vmload-table -->"));
    List<VmloadProperties.Property> documented = new ArrayList<>();
    for (String line : table.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        documented.add(
            new VmloadProperties.Property(m.group(1), m.group(2), conversion(m.group(3))));
      }
    }
    assertThat(documented).containsExactlyElementsOf(VmloadProperties.ALL);
  }

  @Test
  void everyRowIsExercisedByAnOwnFixture() throws Exception {
    Set<String> seen = new TreeSet<>();
    Path dir = Path.of(VmloadPropertyTableTest.class.getResource("/vmload").toURI());
    try (Stream<Path> s = Files.list(dir)) {
      for (Path xml :
          s.filter(p -> p.getFileName().toString().matches("own-vmload-.*\\.xml")).toList()) {
        collect(SafeXml.parse(Files.readAllBytes(xml), xml.toString()), seen);
      }
    }
    Set<String> missing = new TreeSet<>();
    VmloadProperties.ALL.forEach(
        p -> {
          if (!seen.contains(p.xmlKey())) {
            missing.add(p.xmlKey());
          }
        });
    assertThat(missing).as("table rows no own-vmload fixture has").isEmpty();
    // and the fixtures also hold keys vmload does not know, to show they are dropped
    assertThat(seen)
        .contains(
            "zone.attr.never-booted",
            "zone.rctl.zone.max-swap.basic.deny",
            "zone.network.net-attr.allow-dhcp-spoofing",
            "zone.device.net-attr.refreservation");
  }

  /** The vmload keys a zone document holds, in vmload's spelling. */
  private static void collect(XmlElement zone, Set<String> keys) {
    zone.attributes().keySet().forEach(k -> keys.add("zone." + k));
    for (XmlElement c : zone.children()) {
      switch (c.name()) {
        case "attr" -> c.attr("name").ifPresent(n -> keys.add("zone.attr." + n));
        case "rctl" ->
            c.children("rctl-value")
                .forEach(
                    v ->
                        keys.add(
                            "zone.rctl."
                                + c.attr("name").orElse("")
                                + "."
                                + v.attr("priv").orElse("")
                                + "."
                                + v.attr("action").orElse("")));
        case "network", "device", "filesystem" -> {
          String prefix = "zone." + c.name() + ".";
          c.attributes().keySet().forEach(k -> keys.add(prefix + k));
          c.children("net-attr")
              .forEach(na -> na.attr("name").ifPresent(n -> keys.add(prefix + "net-attr." + n)));
        }
        default -> {}
      }
    }
  }

  private static VmloadProperties.Conversion conversion(String words) {
    return WORDS.entrySet().stream()
        .filter(e -> words.startsWith(e.getKey()))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no conversion called: " + words));
  }
}
