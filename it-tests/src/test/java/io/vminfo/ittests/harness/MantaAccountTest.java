package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.testing.Prerequisites;
import io.vminfo.ittests.MantaAccount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MantaAccountTest {
  @TempDir Path dir;

  @Test
  void writesAPrivateKeyOnlyItsOwnerCanReadAndNamesItByMd5() throws Exception {
    MantaAccount a = MantaAccount.create(dir, "acct");
    assertThat(Files.readString(a.keyPath())).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a.keyPath())))
        .isEqualTo("rw-------");
    assertThat(a.keyId()).matches("[0-9a-f]{2}(:[0-9a-f]{2}){15}");
    assertThat(a.usagePrefix()).isEqualTo("/acct/stor/usage");
  }

  @Test
  void theFingerprintIsWhatSshKeygenSays() throws Exception {
    Prerequisites.require(
        Files.isExecutable(Path.of("/usr/bin/ssh-keygen")),
        "SKIPPED: no /usr/bin/ssh-keygen to compare fingerprints with");
    MantaAccount a = MantaAccount.create(dir, "acct");
    Process p =
        new ProcessBuilder("/usr/bin/ssh-keygen", "-l", "-E", "md5", "-f", a.keyPath().toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(out).contains("MD5:" + a.keyId());
  }
}
