package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.Golden;
import io.vminfo.core.testing.SharedFixtures;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo diff}: diff.js's output for diff.js's own cases, and ours. */
class DiffTest {
  @TempDir Path dir;

  static String resource(String name) {
    try {
      return Path.of(DiffTest.class.getResource("/diff/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void printsWhatNodeDiffJsPrintsForEveryGoldenCase() throws Exception {
    Path file =
        SharedFixtures.require(
            "smartos/diffjs-golden-cases.json", "diff.js golden cases through vminfo diff");
    JsonNode cases = CliJson.parse(Files.readAllBytes(file)).path("cases");
    assertThat(cases.size()).isGreaterThanOrEqualTo(28);
    for (JsonNode c : cases) {
      Path a = dir.resolve("a.json");
      Path b = dir.resolve("b.json");
      Files.writeString(a, JsonText.pretty(c.get("a")));
      Files.writeString(b, JsonText.pretty(c.get("b")));
      List<String> args = new ArrayList<>(List.of("diff", a.toString(), b.toString()));
      for (Map.Entry<String, JsonNode> e : c.path("opts").path("map").properties()) {
        args.addAll(List.of("--map", e.getKey() + "=" + e.getValue().asText()));
      }
      Result r = cli().run(args.toArray(String[]::new));
      assertThat(r.exit()).as(c.get("name").asText() + ": " + r).isZero();
      // JSON.stringify(changes, null, 2), byte for byte (key order included).
      assertThat(r.out())
          .as(c.get("name").asText())
          .isEqualTo(JsonText.pretty(c.get("expected")) + "\n");
    }
  }

  @Test
  void ownCaseAsJsonAndText() {
    Result json = cli().run("diff", "--vm", resource("before.json"), resource("after.json"));
    assertThat(json.exit()).as(json.toString()).isZero();
    Golden.assertMatches("diff-vm.json", json.out());
    Result text =
        cli()
            .run(
                "diff",
                "--map",
                "disks=path",
                "--map",
                "nics=mac",
                "-t",
                resource("before.json"),
                resource("after.json"));
    assertThat(text.exit()).isZero();
    Golden.assertMatches("diff-vm.txt", text.out());
    Result plain = cli().run("diff", resource("before.json"), resource("after.json"), "--text");
    assertThat(plain.out())
        .contains("disks.* removed :: {\"path\":\"/dev/zvol/rdsk/zones/x-disk1\"");
  }

  @Test
  void readsOneSideFromStdin() throws Exception {
    String before = Files.readString(Path.of(resource("before.json")));
    Result r = cli().stdin(before).run("diff", "--vm", "-", resource("after.json"));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(Golden.read("diff-vm.json"));
    Result same = cli().stdin(before).run("diff", resource("before.json"), "-");
    assertThat(same.out()).isEqualTo("[]\n");
  }

  @Test
  void badInputIsAFailureNamingWhere() throws Exception {
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\n  \"a\": 1,\n  \"b\": \n}\n", StandardCharsets.UTF_8);
    Result r = cli().run("diff", broken.toString(), resource("after.json"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("vminfo: " + broken + " is not valid JSON: ")
        .contains("at line 4, column ");
    Path trailing = dir.resolve("trailing.json");
    Files.writeString(trailing, "{} {}");
    assertThat(cli().run("diff", trailing.toString(), trailing.toString()).exit()).isEqualTo(1);
    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, "");
    Result e = cli().run("diff", empty.toString(), resource("after.json"));
    assertThat(e.exit()).isEqualTo(1);
    assertThat(e.err()).contains("no JSON value");
    Result missing = cli().run("diff", dir.resolve("nope.json").toString(), "x");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo("vminfo: no such file or directory: " + dir.resolve("nope.json") + "\n");
    Result directory = cli().run("diff", dir.toString(), resource("after.json"));
    assertThat(directory.exit()).isEqualTo(1);
    assertThat(directory.err()).contains("is a directory");
    Path tooDeep = dir.resolve("too-deep.json");
    Files.writeString(tooDeep, "[".repeat(20_000) + "]".repeat(20_000));
    Result d = cli().run("diff", tooDeep.toString(), tooDeep.toString());
    assertThat(d.exit()).isEqualTo(1);
    assertThat(d.err()).contains("is not valid JSON").contains("nesting").contains("10000");
  }

  @Test
  void documentsNestedAsDeeplyAsDiffJsWalksThemAreDiffed() throws Exception {
    // diff.js under Node 20 diffs these; the CLI's old 256-level reader refused them.
    int depth = 9_000;
    Path a = dir.resolve("a.json");
    Path b = dir.resolve("b.json");
    Files.writeString(a, "{\"k\":".repeat(depth) + "1" + "}".repeat(depth));
    Files.writeString(b, "{\"k\":".repeat(depth) + "2" + "}".repeat(depth));
    Result r = cli().run("diff", a.toString(), b.toString(), "--text");
    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("k.k.k.").contains(" changed ").endsWith("1 -> 2\n");
    assertThat(r.out().lines()).hasSize(1);
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Result bothStdin = cli().run("diff", "-", "-");
    assertThat(bothStdin.exit()).isEqualTo(2);
    assertThat(bothStdin.err()).contains("only one of A and B can be '-'");
    Result badMap = cli().run("diff", "--map", "disks=", "a", "b");
    assertThat(badMap.exit()).isEqualTo(2);
    Result oneFile = cli().run("diff", "a");
    assertThat(oneFile.exit()).isEqualTo(2);
    assertThat(oneFile.err()).contains("Missing required parameter: 'B'");
  }
}
