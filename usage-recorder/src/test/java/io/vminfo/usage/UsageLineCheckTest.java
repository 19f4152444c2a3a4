package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The per-line contract both {@code vminfo usage verify} and the adoption check rely on. */
class UsageLineCheckTest {
  private static final String SERVER = "44454c4c-5000-104d-8037-b7c04f5a5131";
  private static final String A = "5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01";
  private static final String B = "6a1b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c02";
  private static final String T = "2026-11-22T10:01:00.000Z";

  private static byte[] usage(String vm) {
    return ("{\"v\":1,\"type\":\"usage\",\"timestamp\":\""
            + T
            + "\",\"server_uuid\":\""
            + SERVER
            + "\",\"uuid\":\""
            + vm
            + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] summary(int count) {
    return ("{\"v\":1,\"type\":\"summary\",\"timestamp\":\""
            + T
            + "\",\"server_uuid\":\""
            + SERVER
            + "\",\"vm_count\":"
            + count
            + ",\"runtime_ms\":1}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static UsageLineCheck check() {
    return UsageLineCheck.forFile(Path.of("/spool/2026/11/22/10/" + SERVER + ".log"));
  }

  private static String reason(UsageLineCheck.Verdict v) {
    assertThat(v).isInstanceOf(UsageLineCheck.Bad.class);
    return ((UsageLineCheck.Bad) v).reason();
  }

  @Test
  void aCompleteSampleIsGoodAndClosed() {
    UsageLineCheck c = check();
    assertThat(c.check(usage(A))).isEqualTo(new UsageLineCheck.Good("usage", T));
    assertThat(c.samplesWithoutSummary()).containsExactly(T);
    assertThat(c.check(summary(1))).isEqualTo(new UsageLineCheck.Good("summary", T));
    assertThat(c.samplesWithoutSummary()).isEmpty();
    assertThat(c.usageRecords()).isEqualTo(1);
    assertThat(c.summaries()).isEqualTo(1);
  }

  @Test
  void aSecondCopyOfASampleIsBadLineByLine() {
    UsageLineCheck c = check();
    c.check(usage(A));
    c.check(summary(1));
    assertThat(reason(c.check(usage(A)))).contains("a second record of VM " + A);
    assertThat(reason(c.check(summary(1)))).contains("a second summary at " + T);
    assertThat(reason(c.check(usage(B)))).contains("after that sample's summary");
  }

  @Test
  void aWrongCountLeavesTheSampleOpen() {
    UsageLineCheck c = check();
    c.check(usage(A));
    assertThat(reason(c.check(summary(2)))).contains("says vm_count 2 but the file has 1");
    assertThat(c.samplesWithoutSummary()).containsExactly(T);
  }

  @Test
  void foreignTornAndOtherHourLinesAreBad() {
    UsageLineCheck c = check();
    assertThat(
            reason(
                c.check(
                    new String(usage(A), StandardCharsets.UTF_8)
                        .replace(SERVER, "00000000-0000-4000-8000-000000000001")
                        .getBytes(StandardCharsets.UTF_8))))
        .contains("is not the file's server");
    byte[] torn = new byte[40];
    System.arraycopy(usage(A), 0, torn, 0, 40);
    assertThat(reason(c.check(torn))).startsWith("not JSON");
    assertThat(
            reason(
                c.check(
                    new String(usage(A), StandardCharsets.UTF_8)
                        .replace("T10:", "T11:")
                        .getBytes(StandardCharsets.UTF_8))))
        .contains("not in the file's hour 2026-11-22T10");
    assertThat(reason(c.check(new byte[] {(byte) 0xff}))).isEqualTo("not valid UTF-8");
    assertThat(reason(c.check(new byte[0]))).isEqualTo("empty line");
  }
}
