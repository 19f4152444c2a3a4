package io.vminfo.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (libvirtd, Node.js peers, {@code ../shared/fixtures}, ...). On
 * a developer's machine a missing prerequisite skips the test with the reason; under CI ({@code
 * CI=true} in the environment) it fails it, so a CI run cannot pass on a smaller suite than the one
 * it claims to have run. {@code -Dvminfo.strictPrerequisites=true|false} overrides the environment.
 */
public final class Prerequisites {
  private Prerequisites() {}

  /** True when a missing prerequisite must fail the run instead of skipping. */
  public static boolean strict() {
    return strict(System.getenv("CI"), System.getProperty("vminfo.strictPrerequisites"));
  }

  static boolean strict(String ciEnvironment, String override) {
    if (override != null) {
      return Boolean.parseBoolean(override);
    }
    return "true".equalsIgnoreCase(ciEnvironment);
  }

  /**
   * Skips (or, when {@link #strict()}, fails) the calling test unless {@code present}.
   *
   * @param reason what is missing and how to get it; printed so a log shows what did not run
   */
  public static void require(boolean present, String reason) {
    if (present) {
      return;
    }
    if (strict()) {
      fail(
          "CI=true and a prerequisite is missing, so this test would have been skipped: " + reason);
    }
    System.out.println(reason.startsWith("SKIPPED") ? reason : "SKIPPED: " + reason);
    Assumptions.assumeTrue(false, reason);
  }
}
