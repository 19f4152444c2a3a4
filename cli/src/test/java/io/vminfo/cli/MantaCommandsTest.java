package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.testing.CliRunner;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.manta.emulator.MantaEmulator;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo manta ...} against the Manta emulator, signing with a real RSA key. */
class MantaCommandsTest {
  @TempDir static Path dir;

  static MantaEmulator manta;
  static Map<String, String> env;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    Path key = dir.resolve("id_rsa");
    Files.writeString(
        key,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    Files.setPosixFilePermissions(
        key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    manta =
        MantaEmulator.builder()
            .root(Files.createDirectories(dir.resolve("manta")))
            .key("alice", pair.getPublic())
            .start();
    env =
        Map.of(
            "MANTA_URL",
            manta.url().toString(),
            "MANTA_USER",
            "alice",
            "MANTA_KEY_PATH",
            key.toString(),
            "HOME",
            dir.toString());
  }

  @AfterAll
  static void stop() {
    manta.close();
  }

  static CliRunner m() {
    return cli().env(env);
  }

  static void ok(Result r) {
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  @Test
  void putReadsStdinWithDash() throws Exception {
    byte[] data = new byte[300_000];
    new java.util.Random(11).nextBytes(data);
    Result put = m().stdin(data).run("manta", "put", "-p", "-", "/alice/stor/piped/from-stdin.bin");
    ok(put);
    assertThat(put.out()).isEmpty();
    assertThat(manta.fileOf("/alice/stor/piped/from-stdin.bin"))
        .hasValueSatisfying(p -> assertThat(p).hasBinaryContent(data));
  }

  @Test
  void putListGetInfoRemove() throws Exception {
    Path file = dir.resolve("report.csv");
    Files.writeString(file, "vm,cpu\nweb,12.5\n");
    ok(m().run("manta", "mkdir", "-p", "/alice/stor/t1/reports/2026"));
    Result put = m().run("manta", "put", file.toString(), "/alice/stor/t1/reports/2026/");
    ok(put);
    assertThat(put.out()).isEmpty();
    assertThat(put.err()).isEmpty();
    assertThat(manta.fileOf("/alice/stor/t1/reports/2026/report.csv"))
        .hasValueSatisfying(p -> assertThat(p).hasContent("vm,cpu\nweb,12.5\n"));

    Result ls = m().run("manta", "ls", "~~/stor/t1/reports");
    ok(ls);
    assertThat(ls.out()).isEqualTo("2026/\n");
    Result lsObject = m().run("manta", "ls", "/alice/stor/t1/reports/2026/report.csv");
    assertThat(lsObject.out()).isEqualTo("report.csv\n");
    Result lsLong = m().run("manta", "ls", "-l", "/alice/stor/t1/reports/2026");
    assertThat(lsLong.out())
        .matches("-rwxr-xr-x 1 alice {12}16 [A-Z][a-z]{2} \\d\\d \\d\\d:\\d\\d report.csv\n");
    assertThat(m().run("manta", "ls", "-l", "~~/stor/t1/reports").out())
        .matches("drwxr-xr-x 1 alice {13}0 [A-Z][a-z]{2} \\d\\d \\d\\d:\\d\\d 2026\n");
    Result lsJson = m().run("manta", "ls", "-j", "/alice/stor/t1/reports/2026");
    JsonNode entry = CliJson.parse(lsJson.out().getBytes(StandardCharsets.UTF_8));
    assertThat(entry.path("name").asText()).isEqualTo("report.csv");
    assertThat(entry.path("type").asText()).isEqualTo("object");
    assertThat(entry.path("size").asLong()).isEqualTo(16);

    Result get = m().run("manta", "get", "/alice/stor/t1/reports/2026/report.csv");
    ok(get);
    assertThat(get.out()).isEqualTo("vm,cpu\nweb,12.5\n");
    Path copy = dir.resolve("copy.csv");
    ok(m().run("manta", "get", "/alice/stor/t1/reports/2026/report.csv", "-o", copy.toString()));
    assertThat(copy).hasContent("vm,cpu\nweb,12.5\n");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.endsWith(".vminfo-part"));

    Result info = m().run("manta", "info", "/alice/stor/t1/reports/2026/report.csv");
    ok(info);
    assertThat(info.out())
        .startsWith(
            "path: /alice/stor/t1/reports/2026/report.csv\ntype: object\n"
                + "size: 16\ncontentType: application/octet-stream\ncontentMD5: ");
    Result infoJson = m().run("manta", "info", "-j", "~~/stor/t1/reports");
    JsonNode dirInfo = CliJson.parse(infoJson.out().getBytes(StandardCharsets.UTF_8));
    assertThat(dirInfo.path("type").asText()).isEqualTo("directory");
    assertThat(dirInfo.path("entries").asInt()).isEqualTo(1);

    Result rmDir = m().run("manta", "rm", "/alice/stor/t1/reports");
    assertThat(rmDir.exit()).isEqualTo(1);
    assertThat(rmDir.err()).startsWith("vminfo: manta: DirectoryNotEmpty (HTTP 400): ");
    ok(m().run("manta", "rm", "-r", "/alice/stor/t1"));
    assertThat(m().run("manta", "ls", "/alice/stor").out()).doesNotContain("t1/");
  }

  @Test
  void largeUploadWithProgressAndDownloadChecked() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(data);
    Path big = dir.resolve("big.bin");
    Files.write(big, data);
    Result put =
        m().run(
                "manta",
                "put",
                "-p",
                "--progress",
                big.toString(),
                "/alice/stor/t2/deep/er/big.bin");
    ok(put);
    assertThat(put.err())
        .startsWith("\rput big.bin ")
        .contains("100% [")
        .contains("3.0 MiB / 3.0 MiB")
        .endsWith("\n");
    assertThat(put.out()).isEmpty();
    byte[] got = m().runBytes("manta", "get", "/alice/stor/t2/deep/er/big.bin");
    assertThat(got).isEqualTo(data);
    Result quiet =
        m().run(
                "manta",
                "get",
                "/alice/stor/t2/deep/er/big.bin",
                "-o",
                dir.resolve("big.copy").toString());
    assertThat(quiet.err()).isEmpty();
    assertThat(dir.resolve("big.copy")).hasBinaryContent(data);
  }

  @Test
  void errorsAreOneLineWithTheRightExitCode() throws Exception {
    Result missing = m().run("manta", "get", "/alice/stor/nope");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err())
        .startsWith("vminfo: manta: ResourceNotFound (HTTP 404): ")
        .doesNotContain("\tat ");
    assertThat(missing.err().lines()).hasSize(1);

    Result noParent = m().run("manta", "mkdir", "/alice/stor/a/b/c");
    assertThat(noParent.exit()).isEqualTo(1);
    assertThat(noParent.err()).contains("DirectoryDoesNotExist");

    Result dirGet = m().run("manta", "get", "/alice/stor");
    assertThat(dirGet.exit()).isEqualTo(1);
    assertThat(dirGet.err())
        .isEqualTo("vminfo: /alice/stor is a directory (vminfo manta ls" + " lists it)\n");

    Result fromTerminal = m().interactive().run("manta", "put", "-", "/alice/stor/typed");
    assertThat(fromTerminal.exit()).isEqualTo(2);
    assertThat(fromTerminal.err()).contains("refusing to upload from a terminal");

    Result stdinToDir = m().stdin("x").run("manta", "put", "-", "/alice/stor/");
    assertThat(stdinToDir.exit()).isEqualTo(2);
    assertThat(stdinToDir.err()).contains("stdin has no file name");

    Result noFile = m().run("manta", "put", dir.resolve("nope").toString(), "/alice/stor/x");
    assertThat(noFile.exit()).isEqualTo(1);
    assertThat(noFile.err()).isEqualTo("vminfo: no such file: " + dir.resolve("nope") + "\n");

    Result noEnv = cli().run("manta", "ls", "/alice/stor");
    assertThat(noEnv.exit()).isEqualTo(2);
    assertThat(noEnv.err()).startsWith("vminfo: MANTA_URL is not set (vminfo manta reads");

    Result noKey =
        cli()
            .env("MANTA_URL", manta.url().toString())
            .env("MANTA_USER", "alice")
            .env("MANTA_KEY_PATH", dir.resolve("no-such-key").toString())
            .run("manta", "ls", "/alice/stor");
    assertThat(noKey.exit()).isEqualTo(2);
    assertThat(noKey.err()).startsWith("vminfo: Manta key: ");

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Result down =
        cli()
            .env(env)
            .env("MANTA_URL", "http://127.0.0.1:" + port)
            .run("manta", "ls", "/alice/stor");
    assertThat(down.exit()).isEqualTo(3);
    assertThat(down.err())
        .startsWith("vminfo: cannot reach Manta at http://127.0.0.1:" + port + ": ");
    assertThat(down.err().lines()).hasSize(1);

    Result hostile = m().run("manta", "ls", "/alice/stor/../../etc");
    assertThat(hostile.exit()).isEqualTo(2);
    assertThat(hostile.err())
        .isEqualTo(
            "vminfo: Manta path must not contain . or .. segments:" + " /alice/stor/../../etc\n");
  }

  @Test
  void findChattrSignAndNamedHeadErrors() throws Exception {
    ok(m().run("manta", "mkdir", "-p", "/alice/stor/t3/a/b"));
    ok(m().stdin("1").run("manta", "put", "-", "/alice/stor/t3/a/one.log"));
    ok(m().stdin("22").run("manta", "put", "-", "/alice/stor/t3/a/b/two.log"));
    ok(m().stdin("3").run("manta", "put", "-", "/alice/stor/t3/top.txt"));

    assertThat(m().run("manta", "find", "/alice/stor/t3").out())
        .isEqualTo(
            "/alice/stor/t3/a\n"
                + "/alice/stor/t3/a/b\n/alice/stor/t3/a/b/two.log\n/alice/stor/t3/a/one.log\n/alice/stor/t3/top.txt\n");
    assertThat(m().run("manta", "find", "-t", "o", "-n", "\\.log$", "~~/stor/t3").out())
        .isEqualTo("/alice/stor/t3/a/b/two.log\n/alice/stor/t3/a/one.log\n");
    assertThat(m().run("manta", "find", "-t", "d", "/alice/stor/t3").out())
        .isEqualTo("/alice/stor/t3/a\n/alice/stor/t3/a/b\n");
    assertThat(m().run("manta", "find", "--maxdepth", "1", "/alice/stor/t3").out())
        .isEqualTo("/alice/stor/t3/a\n/alice/stor/t3/top.txt\n");
    assertThat(m().run("manta", "find", "--mindepth", "3", "/alice/stor/t3").out())
        .isEqualTo("/alice/stor/t3/a/b/two.log\n");
    JsonNode j =
        CliJson.parse(
            m().run("manta", "find", "-j", "-n", "two", "/alice/stor/t3")
                .out()
                .getBytes(StandardCharsets.UTF_8));
    assertThat(j.path("parent").asText()).isEqualTo("/alice/stor/t3/a/b");
    assertThat(j.path("size").asLong()).isEqualTo(2);
    Result badType = m().run("manta", "find", "-t", "x", "/alice/stor/t3");
    assertThat(badType.exit()).isEqualTo(2);
    assertThat(m().run("manta", "find", "-n", "(", "/alice/stor/t3").err())
        .contains("not a regular expression");

    String etag =
        manta.fileOf("/alice/stor/t3/top.txt").isPresent()
            ? CliJson.parse(
                    m().run("manta", "info", "-j", "/alice/stor/t3/top.txt")
                        .out()
                        .getBytes(StandardCharsets.UTF_8))
                .path("etag")
                .asText()
            : "";
    ok(
        m().run(
                "manta",
                "chattr",
                "-H",
                "m-owner: ops",
                "-H",
                "content-type: text/plain",
                "/alice/stor/t3/top.txt"));
    JsonNode after =
        CliJson.parse(
            m().run("manta", "info", "-j", "/alice/stor/t3/top.txt")
                .out()
                .getBytes(StandardCharsets.UTF_8));
    assertThat(after.path("etag").asText()).isEqualTo(etag);
    assertThat(after.path("contentType").asText()).isEqualTo("text/plain");
    assertThat(after.path("metadata").path("m-owner").asText()).isEqualTo("ops");
    assertThat(m().run("manta", "get", "/alice/stor/t3/top.txt").out()).isEqualTo("3");
    Result badHeader = m().run("manta", "chattr", "-H", "nocolon", "/alice/stor/t3/top.txt");
    assertThat(badHeader.exit()).isEqualTo(2);
    assertThat(badHeader.err()).contains("-H takes 'NAME: VALUE'");
    Result forbidden =
        m().run("manta", "chattr", "-H", "content-length: 9", "/alice/stor/t3/top.txt");
    assertThat(forbidden.exit()).isEqualTo(2);

    Result sign = m().run("manta", "sign", "--expires", "60", "/alice/stor/t3/top.txt");
    ok(sign);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    var res =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(sign.out().trim()))
                .timeout(java.time.Duration.ofSeconds(10))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("3");
    assertThat(m().run("manta", "sign", "--expires", "0", "/alice/stor/t3/top.txt").exit())
        .isEqualTo(2);

    Result missing = m().run("manta", "ls", "/alice/stor/t3/nope");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo(
            "vminfo: manta: ResourceNotFound (HTTP 404): /alice/stor/t3/nope" + " was not found\n");
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    Path otherKey = dir.resolve("other_rsa");
    Files.writeString(
        otherKey,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(gen.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    Files.setPosixFilePermissions(
        otherKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Result wrongKey =
        cli()
            .env(env)
            .env("MANTA_KEY_PATH", otherKey.toString())
            .run("manta", "info", "/alice/stor/t3");
    assertThat(wrongKey.exit()).isEqualTo(1);
    assertThat(wrongKey.err())
        .matches(
            "vminfo: manta: KeyDoesNotExist \\(HTTP 403\\): /alice/keys/\\S+"
                + " does not exist\n");
    Result unknownLogin = cli().env(env).env("MANTA_USER", "bob").run("manta", "ls", "~~/stor");
    assertThat(unknownLogin.err()).startsWith("vminfo: manta: AccountDoesNotExist (HTTP 403): bob");
  }
}
