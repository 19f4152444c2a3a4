package io.vminfo.ittests.manta;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.testing.Prerequisites;
import io.vminfo.manta.MantaClient;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaKeys;
import io.vminfo.manta.MantaSigner;
import io.vminfo.manta.emulator.MantaEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Joyent's own Manta CLI against the emulator: if node-manta is happy, the emulator behaves like
 * Manta where a real client can tell. Keys of every type node-manta supports, made by ssh-keygen.
 */
class NodeMantaCliIT {
  static NodePeers peers;

  @TempDir Path tmp;

  @BeforeAll
  static void install() {
    peers = NodePeers.installOrSkip("node-manta peer tests");
    Prerequisites.require(
        NodePeers.which("ssh-keygen").isPresent(),
        "ssh-keygen is not installed (apt-get install openssh-client)");
  }

  /** A fresh HOME with one key in ~/.ssh, as node-manta finds keys by MANTA_KEY_ID there. */
  private MantaKey newKey(Path home, String type, String bits, String format) throws IOException {
    Path ssh = Files.createDirectories(home.resolve(".ssh"));
    Path key = ssh.resolve("id_" + type);
    java.util.List<String> cmd =
        new java.util.ArrayList<>(
            java.util.List.of(
                "ssh-keygen",
                "-q",
                "-t",
                type,
                "-N",
                "",
                "-C",
                "it-" + type,
                "-f",
                key.toString()));
    if (!bits.isEmpty()) {
      cmd.addAll(java.util.List.of("-b", bits));
    }
    if (!format.isEmpty()) {
      cmd.addAll(java.util.List.of("-m", format));
    }
    NodePeers.Run r = NodePeers.run(home, Map.of(), 60, cmd.toArray(new String[0]));
    assertThat(r.exit()).as(r.err()).isZero();
    return MantaKeys.load(key);
  }

  private Map<String, String> env(MantaEmulator emu, Path home, MantaKey key) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("MANTA_URL", emu.url().toString());
    env.put("MANTA_USER", "alice");
    env.put("MANTA_KEY_ID", key.md5Fingerprint());
    return env;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  // Not P-384: node-manta 5.4.2 signs those with ecdsa-sha384, which its own http-signature
  // refuses.
  @CsvSource({
    "rsa,2048,PEM",
    "rsa,3072,",
    "ecdsa,256,",
    "ecdsa,256,PEM",
    "ecdsa,521,",
    "ed25519,,"
  })
  void putsListsAndReadsWithEveryKeyType(String type, String bits, String format) throws Exception {
    Path home = tmp.resolve("home");
    MantaKey key = newKey(home, type, bits == null ? "" : bits, format == null ? "" : format);
    try (MantaEmulator emu =
        MantaEmulator.builder().root(tmp.resolve("store")).key("alice", key.publicKey()).start()) {
      Map<String, String> env = env(emu, home, key);
      Path file = tmp.resolve("hello.txt");
      Files.writeString(file, "hello from node-manta, " + type + "\n");
      NodePeers.Run put =
          peers.cli(
              env, "mput", "-p", "-f", file.toString(), "~~/stor/peer/" + type + "/hello.txt");
      assertThat(put.exit()).as("mput: " + put.err()).isZero();
      assertThat(emu.fileOf("/alice/stor/peer/" + type + "/hello.txt"))
          .hasValueSatisfying(p -> assertThat(p).hasSameTextualContentAs(file));
      NodePeers.Run ls = peers.cli(env, "mls", "~~/stor/peer");
      assertThat(ls.exit()).as("mls: " + ls.err()).isZero();
      assertThat(ls.out()).contains(type + "/");
    }
  }

  @Test
  void fullSessionAgreesWithOurClient() throws Exception {
    Path home = tmp.resolve("home");
    MantaKey key = newKey(home, "ed25519", "", "");
    try (MantaEmulator emu =
            MantaEmulator.builder()
                .root(tmp.resolve("store"))
                .key("alice", key.publicKey())
                .start();
        MantaClient ours =
            MantaClient.create(
                MantaConfig.builder()
                    .url(emu.url())
                    .user("alice")
                    .signer(MantaSigner.of(key))
                    .build())) {
      Map<String, String> env = env(emu, home, key);

      NodePeers.Run mkdir = peers.cli(env, "mmkdir", "-p", "~~/stor/session/a/b/c");
      assertThat(mkdir.exit()).as("mmkdir: " + mkdir.err()).isZero();
      assertThat(ours.blocking().head("/alice/stor/session/a/b/c").directory()).isTrue();

      // our client writes, node-manta reads: names with a space, unicode and a percent sign
      byte[] data = "bytes written by manta-client\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
      ours.blocking().mkdirp("/alice/stor/session/x y");
      ours.blocking().put("/alice/stor/session/x y/ü 100%.txt", data);
      NodePeers.Run get = peers.cli(env, "mget", "~~/stor/session/x y/ü 100%.txt");
      assertThat(get.exit()).as("mget: " + get.err()).isZero();
      assertThat(get.out().getBytes(StandardCharsets.UTF_8)).isEqualTo(data);

      NodePeers.Run info = peers.cli(env, "minfo", "~~/stor/session/x y/ü 100%.txt");
      assertThat(info.exit()).as("minfo: " + info.err()).isZero();
      assertThat(info.out())
          .contains("200")
          .containsIgnoringCase("content-md5")
          .containsIgnoringCase("x-request-id")
          .containsIgnoringCase("x-server-name");

      // node-manta writes (mput -p creates parents), our client reads
      Path file = tmp.resolve("n.txt");
      Files.writeString(file, "written by node-manta\n");
      assertThat(
              peers
                  .cli(env, "mput", "-p", "-f", file.toString(), "~~/stor/session/deep/er/n.txt")
                  .exit())
          .isZero();
      assertThat(
              new String(
                  ours.blocking().getBytes("/alice/stor/session/deep/er/n.txt"),
                  StandardCharsets.UTF_8))
          .isEqualTo("written by node-manta\n");

      NodePeers.Run ls = peers.cli(env, "mls", "-l", "~~/stor/session");
      assertThat(ls.exit()).as("mls: " + ls.err()).isZero();
      assertThat(ls.out())
          .containsPattern("(?m)^d.* a$")
          .containsPattern("(?m)^d.* x y$")
          .containsPattern("(?m)^d.* deep$");

      NodePeers.Run missing = peers.cli(env, "mls", "~~/stor/session/nope");
      assertThat(missing.exit()).isNotZero();
      assertThat(missing.err()).contains("ResourceNotFound");

      NodePeers.Run notEmpty = peers.cli(env, "mrm", "~~/stor/session/a");
      assertThat(notEmpty.exit()).isNotZero();

      NodePeers.Run rm = peers.cli(env, "mrm", "-r", "~~/stor/session");
      assertThat(rm.exit()).as("mrm: " + rm.err()).isZero();
      try {
        ours.blocking().head("/alice/stor/session");
        throw new AssertionError("session should be gone");
      } catch (MantaException e) {
        assertThat(e.isNotFound()).isTrue();
      }
    }
  }

  @Test
  void wrongKeyIsRefusedWithMantasError() throws Exception {
    Path home = tmp.resolve("home");
    MantaKey key = newKey(home, "ecdsa", "256", "");
    MantaKey other = newKey(tmp.resolve("other"), "ed25519", "", "");
    try (MantaEmulator emu =
        MantaEmulator.builder()
            .root(tmp.resolve("store"))
            .key("alice", other.publicKey())
            .start()) {
      NodePeers.Run ls = peers.cli(env(emu, home, key), "mls", "~~/stor");
      assertThat(ls.exit()).isNotZero();
      assertThat(ls.err()).contains("KeyDoesNotExist");
    }
  }
}
