package io.vminfo.cli.internal.output;

import io.vminfo.cli.testing.Golden;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The status layout for a fixed document (an agent's /status with every section filled). */
class StatusTextTest {
  static com.fasterxml.jackson.databind.JsonNode doc(String name) throws Exception {
    try (InputStream in = StatusTextTest.class.getResourceAsStream("/status/" + name)) {
      return CliJson.parse(in.readAllBytes());
    }
  }

  @Test
  void summaryAndFull() throws Exception {
    var status = doc("agent-status.json");
    Golden.assertMatches(
        "status-summary.txt", String.join("\n", StatusText.render(status, false)) + "\n");
    Golden.assertMatches(
        "status-full.txt", String.join("\n", StatusText.render(status, true)) + "\n");
  }

  @Test
  void vminfodStatusWithoutExtensions() throws Exception {
    Golden.assertMatches(
        "status-vminfod.txt",
        String.join("\n", StatusText.render(doc("vminfod-status.json"), true)) + "\n");
  }
}
