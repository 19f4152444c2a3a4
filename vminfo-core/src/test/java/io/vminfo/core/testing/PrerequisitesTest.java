package io.vminfo.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
  private final String before = System.getProperty("vminfo.strictPrerequisites");

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty("vminfo.strictPrerequisites");
    } else {
      System.setProperty("vminfo.strictPrerequisites", before);
    }
  }

  @Test
  void ciTrueInTheEnvironmentMakesItStrictUnlessOverridden() {
    assertThat(Prerequisites.strict("true", null)).isTrue();
    assertThat(Prerequisites.strict("TRUE", null)).isTrue();
    assertThat(Prerequisites.strict(null, null)).isFalse();
    assertThat(Prerequisites.strict("1", null)).isFalse();
    assertThat(Prerequisites.strict("true", "false")).isFalse();
    assertThat(Prerequisites.strict(null, "true")).isTrue();
  }

  @Test
  void aPresentPrerequisiteNeitherSkipsNorFails() {
    System.setProperty("vminfo.strictPrerequisites", "true");
    assertThatCode(() -> Prerequisites.require(true, "libvirtd")).doesNotThrowAnyException();
  }

  @Test
  void aMissingPrerequisiteFailsWhenStrict() {
    System.setProperty("vminfo.strictPrerequisites", "true");
    assertThatThrownBy(() -> Prerequisites.require(false, "libvirtd is not installed"))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("libvirtd is not installed");
  }

  @Test
  void aMissingPrerequisiteSkipsOutsideCi() {
    System.setProperty("vminfo.strictPrerequisites", "false");
    assertThatThrownBy(() -> Prerequisites.require(false, "libvirtd is not installed"))
        .isInstanceOf(TestAbortedException.class);
  }
}
