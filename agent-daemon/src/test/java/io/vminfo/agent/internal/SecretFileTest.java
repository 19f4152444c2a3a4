package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileTest {
  @TempDir Path dir;

  private Path file(String text, String mode) throws IOException {
    Path f = Files.writeString(dir.resolve("pw"), text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void oneTrailingNewlineIsNotPartOfTheSecret() throws Exception {
    assertThat(SecretFile.read(file("s3 cret\r\n", "rw-------"), "x.file").secret())
        .isEqualTo("s3 cret");
    assertThat(SecretFile.read(file("two\n\n", "rw-------"), "x.file").secret()).isEqualTo("two\n");
  }

  @Test
  void aFileOthersCanReadIsWarnedAboutAndNeitherMessageShowsTheSecret() throws Exception {
    Path f = file("s3cret\n", "rw-r-----");
    SecretFile s = SecretFile.read(f, "alarms.smtp_password_file");
    assertThat(s.warning())
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .contains("alarms.smtp_password_file " + f + " is readable by other users")
                    .contains("chmod 600")
                    .doesNotContain("s3cret"));
    assertThat(s.toString()).doesNotContain("s3cret");
    assertThat(SecretFile.read(file("s3cret\n", "rw-------"), "x").warning()).isEmpty();
  }

  @Test
  void anEmptyOrMissingFileIsAClearError() throws Exception {
    assertThatThrownBy(() -> SecretFile.read(file("\n", "rw-------"), "x.file"))
        .hasMessageContaining("x.file " + dir.resolve("pw") + " is empty");
    assertThatThrownBy(() -> SecretFile.read(dir.resolve("absent"), "x.file"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("x.file " + dir.resolve("absent") + " cannot be read");
  }
}
