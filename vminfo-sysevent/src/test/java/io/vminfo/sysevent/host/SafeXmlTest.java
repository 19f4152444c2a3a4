package io.vminfo.sysevent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.xml.SafeXml;
import io.vminfo.sysevent.internal.xml.XmlElement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeXmlTest {
  @TempDir Path tmp;

  @Test
  void refusesExternalEntitiesAndReadsNothing() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET-CONTENT");
    String xxe =
        "<?xml version=\"1.0\"?>\n"
            + "<!DOCTYPE zone [ <!ENTITY xxe SYSTEM \""
            + secret.toUri()
            + "\"> ]>\n"
            + "<zone name=\"&xxe;\" brand=\"joyent\"><attr name=\"alias\" value=\"&xxe;\"/></zone>";
    assertThatThrownBy(() -> SafeXml.parse(bytes(xxe), "xxe.xml"))
        .isInstanceOfSatisfying(
            HostFileException.class, e -> assertThat(e.code()).isEqualTo("PARSE_ERROR"))
        .hasMessageContaining("xxe.xml")
        .hasMessageNotContaining("TOP-SECRET");
  }

  @Test
  void refusesParameterEntitiesThatWouldFetchADtd() {
    String xxe =
        "<!DOCTYPE zone [ <!ENTITY % remote SYSTEM \"http://127.0.0.1:9/evil.dtd\"> %remote; ]>"
            + "<zone/>";
    assertThatThrownBy(() -> SafeXml.parse(bytes(xxe), "pe.xml"))
        .isInstanceOf(HostFileException.class);
  }

  @Test
  void refusesBillionLaughs() {
    StringBuilder sb =
        new StringBuilder(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n" + " <!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
      sb.append(" <!ENTITY lol").append(i).append(" \"");
      for (int j = 0; j < 10; j++) {
        sb.append("&lol").append(i == 1 ? "" : String.valueOf(i - 1)).append(';');
      }
      sb.append("\">\n");
    }
    sb.append("]>\n<zone name=\"&lol9;\" brand=\"joyent\">&lol9;</zone>");
    assertThatThrownBy(() -> SafeXml.parse(bytes(sb.toString()), "lolz.xml"))
        .isInstanceOf(HostFileException.class)
        .hasMessageContaining("lolz.xml");
  }

  @Test
  void aDoctypeNamingAnExternalDtdIsSkippedNotFetched() throws Exception {
    // zonecfg files name their DTD by URL; it must not be loaded (here: a port nobody listens on).
    String xml =
        "<!DOCTYPE zone PUBLIC \"-//Sun Microsystems Inc//DTD Zones//EN\" "
            + "\"http://127.0.0.1:9/zonecfg.dtd.1\">\n<zone name=\"z\" brand=\"joyent\"/>";
    XmlElement zone = SafeXml.parse(bytes(xml), "ok.xml");
    assertThat(zone.name()).isEqualTo("zone");
    assertThat(zone.attr("brand")).contains("joyent");
  }

  @Test
  void builtInEntitiesAndNamespacesWork() throws Exception {
    String xml = "<domain xmlns:n='urn:x'><n:name a='&lt;b&gt;'>x &amp; y</n:name></domain>";
    XmlElement d = SafeXml.parse(bytes(xml), "d.xml");
    XmlElement name = d.child("name").orElseThrow();
    assertThat(name.namespace()).isEqualTo("urn:x");
    assertThat(name.text()).isEqualTo("x & y");
    assertThat(name.attr("a")).contains("<b>");
  }

  @Test
  void refusesTruncatedAndDeeplyNestedDocuments() {
    assertThatThrownBy(() -> SafeXml.parse(bytes("<zone name=\"z\"><attr"), "half.xml"))
        .isInstanceOf(HostFileException.class)
        .hasMessageContaining("half.xml");
    String deep = "<a>".repeat(SafeXml.MAX_DEPTH + 1) + "</a>".repeat(SafeXml.MAX_DEPTH + 1);
    assertThatThrownBy(() -> SafeXml.parse(bytes(deep), "deep.xml"))
        .isInstanceOf(HostFileException.class)
        .hasMessageContaining("deeper");
    assertThatThrownBy(() -> SafeXml.parse(new byte[0], "empty.xml"))
        .isInstanceOf(HostFileException.class);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
