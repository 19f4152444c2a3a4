package io.vminfo.manta;

import io.vminfo.manta.internal.AgentSigner;
import io.vminfo.manta.internal.KeySigner;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Signs the HTTP Signature string of a request. Implementations: an in-memory key ({@link
 * #of(MantaKey)}) or a key held by a running ssh-agent ({@link #sshAgent}).
 */
public interface MantaSigner {
  /** The MD5 fingerprint of the key ({@code aa:bb:...}), as it goes into the key id. */
  String md5Fingerprint();

  /** The http-signature algorithm name, e.g. {@code rsa-sha256} or {@code ed25519-sha512}. */
  String algorithm();

  /** Signs {@code data}; may block (ssh-agent), so the client never calls it on an I/O thread. */
  byte[] sign(byte[] data);

  /** True when {@link #sign} does I/O. */
  default boolean blocking() {
    return false;
  }

  /** Signs with an in-memory key and its default algorithm (rsa-sha256 for RSA). */
  static MantaSigner of(MantaKey key) {
    return new KeySigner(key, key.defaultAlgorithm());
  }

  /**
   * Signs with an in-memory key; for RSA {@code algorithm} may be rsa-sha1, rsa-sha256 or
   * rsa-sha512.
   */
  static MantaSigner of(MantaKey key, String algorithm) {
    return new KeySigner(key, algorithm);
  }

  /**
   * Signs through the ssh-agent listening on {@code socket} with the key whose fingerprint is given
   * (MD5 or SHA256 form). Fails when the agent does not hold that key.
   */
  static MantaSigner sshAgent(Path socket, String fingerprint, Duration timeout) {
    return AgentSigner.connect(socket, fingerprint, timeout);
  }
}
