package io.vminfo.manta.internal;

import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaKeyException;
import io.vminfo.manta.MantaKeys;
import io.vminfo.manta.MantaSigner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the signing key a configuration names: an explicit signer, a key file (checked against
 * MANTA_KEY_ID), the ssh-agent, then {@code ~/.ssh}, as node-manta does.
 */
public final class SignerResolver {
  private static final Logger LOG = LoggerFactory.getLogger(SignerResolver.class);

  private SignerResolver() {}

  /** The signer, or empty for an anonymous client; throws MantaKeyException when none fits. */
  public static Optional<MantaSigner> resolve(MantaConfig config) {
    if (config.anonymous()) {
      return Optional.empty();
    }
    if (config.signer().isPresent()) {
      return config.signer();
    }
    if (config.keyPath().isPresent()) {
      MantaKey key = MantaKeys.load(config.keyPath().get());
      config
          .keyId()
          .ifPresent(
              id -> {
                if (!key.matches(id)) {
                  throw new MantaKeyException(
                      "key "
                          + config.keyPath().get()
                          + " has fingerprint "
                          + key.md5Fingerprint()
                          + " / "
                          + key.sha256Fingerprint()
                          + ", not MANTA_KEY_ID "
                          + id);
                }
              });
      return Optional.of(MantaSigner.of(key));
    }
    String keyId = config.keyId().orElseThrow();
    if (config.sshAgentSocket().isPresent()) {
      try {
        Optional<MantaSigner> agent =
            AgentSigner.find(config.sshAgentSocket().get(), keyId, Duration.ofSeconds(5));
        if (agent.isPresent()) {
          LOG.debug("signing with ssh-agent key {}", keyId);
          return agent;
        }
      } catch (MantaKeyException e) {
        LOG.warn("ssh-agent unusable ({}); looking for key {} in files", e.getMessage(), keyId);
      }
    }
    Optional<Path> dir = config.sshDirectory();
    return Optional.of(
        MantaSigner.of(
            dir.flatMap(d -> MantaKeys.find(d, keyId))
                .orElseThrow(
                    () ->
                        new MantaKeyException(
                            "no key with fingerprint "
                                + keyId
                                + " in the ssh-agent or in "
                                + dir.map(Path::toString).orElse("~/.ssh")
                                + "; set MANTA_KEY_PATH or add the key with ssh-add"))));
  }
}
