package io.vminfo.sysevent.smartos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.core.testing.Prerequisites;
import io.vminfo.core.testing.SharedFixtures;
import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.smartos.ZoneXmlMapper;
import io.vminfo.sysevent.internal.smartos.ZoneadmList;
import io.vminfo.sysevent.internal.xml.SafeXml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * vmload-xml conformance: the XML-derived part of the VM equals what smartos-live's vmload builds
 * (../shared/fixtures/smartos when present, our own fixtures always).
 */
class ZoneXmlConformanceTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> sharedCases() throws IOException {
    Path dir = SharedFixtures.dir().map(d -> d.resolve("smartos")).orElse(null);
    if (dir == null || !Files.isDirectory(dir)) {
      // one case that skips (or, under CI, fails) with the reason, rather than none at all
      return Stream.of(Arguments.of("(none)", null, null));
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> xmls =
          s.filter(p -> p.getFileName().toString().matches("vmload-xml-.*\\.xml"))
              .filter(p -> Files.exists(Path.of(p.toString().replaceAll("\\.xml$", ".json"))))
              .sorted()
              .toList();
      return xmls.stream()
          .map(
              p ->
                  Arguments.of(
                      p.getFileName().toString(),
                      p,
                      Path.of(p.toString().replaceAll("\\.xml$", ".json"))));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedCases")
  void matchesSmartosLiveVmload(String name, Path xml, Path json) throws Exception {
    Prerequisites.require(xml != null, SharedFixtures.skipMessage("vmload-xml conformance"));
    JsonNode actual = ZoneXmlMapper.map(SafeXml.parse(Files.readAllBytes(xml), name), name);
    assertThat(actual).isEqualTo(JSON.readTree(json.toFile()));
  }

  @Test
  void sharedGarbageFailsWithVmloadsErrorCode() throws Exception {
    Path dir =
        SharedFixtures.require("smartos/vmload-xml-garbage.xml", "vmload-xml-garbage").getParent();
    String code =
        JSON.readTree(dir.resolve("vmload-xml-garbage.fail").toFile()).get("code").asText();
    byte[] garbage = Files.readAllBytes(dir.resolve("vmload-xml-garbage.xml"));
    assertThatThrownBy(() -> SafeXml.parse(garbage, "vmload-xml-garbage.xml"))
        .isInstanceOfSatisfying(HostFileException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining("vmload-xml-garbage.xml")
        .hasMessageContaining("malformed XML");
  }

  /** Our own cases: every {@code own-vmload-*.xml}; the .json beside it is what vmload printed. */
  static Stream<String> ownCases() throws Exception {
    return ownCaseFiles().stream().map(p -> p.getFileName().toString().replaceAll("\\.xml$", ""));
  }

  static List<Path> ownCaseFiles() throws Exception {
    Path dir = Path.of(ZoneXmlConformanceTest.class.getResource("/vmload").toURI());
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("own-vmload-.*\\.xml"))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ownCases")
  void matchesWhatVmloadPrintedForOurOwnCases(String name) throws Exception {
    JsonNode actual = ZoneXmlMapper.map(SafeXml.parse(resource(name + ".xml"), name), name);
    JsonNode expected = JSON.readTree(resource(name + ".json"));
    assertThat(actual).isEqualTo(expected);
    // and in vmload's key order (JSON object equality ignores it)
    assertThat(JSON.writeValueAsString(actual)).isEqualTo(JSON.writeValueAsString(expected));
  }

  @Test
  void thereAreOwnCasesForEveryBrandRule() throws Exception {
    assertThat(ownCases())
        .contains(
            "own-vmload-every-property-joyent",
            "own-vmload-kvm-devices",
            "own-vmload-kvm-no-vm-autoboot",
            "own-vmload-bhyve-autoboot",
            "own-vmload-unknown-brand");
  }

  @Test
  void ourGarbageIsAParseError() {
    assertThatThrownBy(() -> SafeXml.parse(resource("own-garbage.xml"), "own-garbage.xml"))
        .isInstanceOfSatisfying(
            HostFileException.class, e -> assertThat(e.code()).isEqualTo("PARSE_ERROR"));
  }

  @Test
  void aDocumentThatIsNotAZoneIsRefused() {
    byte[] xml = "<domain type='kvm'/>".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ZoneXmlMapper.map(SafeXml.parse(xml, "x.xml"), "x.xml"))
        .isInstanceOf(HostFileException.class)
        .hasMessageContaining("not <zone>");
  }

  @Test
  void zoneadmListParsesLikeVmload() throws Exception {
    Path dir =
        SharedFixtures.require("smartos/zoneadm-list-pc.txt", "zoneadm-list-pc conformance")
            .getParent();
    ZoneadmList list = ZoneadmList.parse(Files.readString(dir.resolve("zoneadm-list-pc.txt")));
    assertThat((JsonNode) list.toJsonByUuid())
        .isEqualTo(JSON.readTree(dir.resolve("zoneadm-list-pc.expected.json").toFile()));
    ZoneadmList more =
        ZoneadmList.parse(Files.readString(dir.resolve("zoneadm-list-pc-imgadm-comment.txt")));
    assertThat(more.byZonename()).hasSize(2);
    assertThat(more.get("7970c690-1738-4e58-a04f-8ce4ea8ebfca").orElseThrow().zoneid()).isEmpty();
  }

  @Test
  void zoneadmListParsesOurCapturedOutputWithEscapes() throws Exception {
    ZoneadmList list =
        ZoneadmList.parse(new String(resource("own-zoneadm-list-pc.txt"), StandardCharsets.UTF_8));
    assertThat((JsonNode) list.toJsonByUuid())
        .isEqualTo(JSON.readTree(resource("own-zoneadm-list-pc.expected.json")));
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = ZoneXmlConformanceTest.class.getResourceAsStream("/vmload/" + name)) {
      if (in == null) {
        throw new IOException("test resource missing: " + name);
      }
      return in.readAllBytes();
    }
  }
}
