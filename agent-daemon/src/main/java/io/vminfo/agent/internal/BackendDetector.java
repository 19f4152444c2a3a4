package io.vminfo.agent.internal;

import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.Backends;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Decides which host backend to run (DESIGN section 9 and issue 6): the provider {@code backend}
 * names, or with {@code auto} the first that recognises the host root ({@link Backends#detect}),
 * else the example host.
 */
public final class BackendDetector {
  /** A decision and why, for the log. */
  public record Decision(BackendProvider provider, String reason) {
    public Decision {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(reason, "reason");
    }
  }

  private BackendDetector() {}

  /**
   * The provider for {@code configured} ({@code auto} or a name the config schema accepted).
   *
   * @throws IllegalArgumentException naming the known backends for an unknown name
   */
  public static Decision decide(Backends backends, String configured, Path hostRoot) {
    if (!configured.equals(Backends.AUTO)) {
      return new Decision(backends.named(configured), "backend=" + configured + " in the config");
    }
    Backends.Detected detected = backends.detect(hostRoot);
    if (detected.provider().isPresent()) {
      return new Decision(detected.provider().get(), detected.reason());
    }
    return new Decision(
        backends.named(Providers.FALLBACK_BACKEND),
        "no backend recognises " + hostRoot + " (" + detected.reason() + ")");
  }
}
