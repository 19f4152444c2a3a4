package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryPermissionsTest {
  @TempDir Path tmp;

  @Test
  void aPrivateStateDirectoryIsQuiet() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-x---"));
    assertThat(StateDirectoryPermissions.warning(tmp)).isEmpty();
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(StateDirectoryPermissions.warning(tmp)).isEmpty();
  }

  @Test
  void groupOrWorldWritableIsSaidWithTheMode() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwx---"));
    assertThat(StateDirectoryPermissions.warning(tmp))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .contains(tmp.toString())
                    .contains("group-writable")
                    .contains("rwxrwx---"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(StateDirectoryPermissions.warning(tmp))
        .hasValueSatisfying(w -> assertThat(w).contains("world-writable"));
  }
}
