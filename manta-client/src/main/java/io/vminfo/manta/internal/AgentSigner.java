package io.vminfo.manta.internal;

import io.vminfo.manta.MantaKeyException;
import io.vminfo.manta.MantaSigner;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Optional;

/** Signs with a key held by ssh-agent; the private key never enters this process. */
public final class AgentSigner implements MantaSigner {
  private final SshAgentClient agent;
  private final byte[] blob;
  private final PublicKey key;
  private final String md5;
  private final String algorithm;
  private final int flags;

  private AgentSigner(SshAgentClient agent, SshAgentClient.Identity id) {
    this.agent = agent;
    this.blob = id.blob();
    this.key = id.key();
    this.md5 = SshPublicKeys.md5Fingerprint(key);
    if (key instanceof RSAPublicKey) {
      algorithm = "rsa-sha256";
      flags = SshAgentClient.SSH_AGENT_RSA_SHA2_256;
    } else if (key instanceof ECPublicKey) {
      int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
      if (bits == 384) {
        // The agent protocol fixes SHA-384 for P-384, which http-signature (Manta) refuses.
        throw new MantaKeyException(
            "ssh-agent signs P-384 keys with SHA-384, which Manta does not accept:"
                + " point MANTA_KEY_PATH at the key file (signed with ecdsa-sha512) or use another key");
      }
      algorithm = bits <= 256 ? "ecdsa-sha256" : "ecdsa-sha512";
      flags = 0;
    } else {
      algorithm = "ed25519-sha512";
      flags = 0;
    }
  }

  /** Finds the key in the agent, or returns empty when the agent does not hold it. */
  public static Optional<MantaSigner> find(Path socket, String fingerprint, Duration timeout) {
    SshAgentClient agent = new SshAgentClient(socket, timeout);
    for (SshAgentClient.Identity id : agent.identities()) {
      if (SshPublicKeys.matches(fingerprint, id.key())) {
        return Optional.of(new AgentSigner(agent, id));
      }
    }
    return Optional.empty();
  }

  public static MantaSigner connect(Path socket, String fingerprint, Duration timeout) {
    return find(socket, fingerprint, timeout)
        .orElseThrow(
            () ->
                new MantaKeyException(
                    "ssh-agent at "
                        + socket
                        + " does not hold key "
                        + fingerprint
                        + " (add it with ssh-add)"));
  }

  @Override
  public String md5Fingerprint() {
    return md5;
  }

  @Override
  public String algorithm() {
    return algorithm;
  }

  @Override
  public boolean blocking() {
    return true;
  }

  @Override
  public byte[] sign(byte[] data) {
    SshAgentClient.AgentSignature res = agent.sign(blob, data, flags);
    String format = res.format();
    byte[] raw = res.raw();
    if (key instanceof ECPublicKey) {
      SshWire rs = new SshWire(raw);
      BigInteger r = rs.mpint();
      BigInteger s = rs.mpint();
      return Der.ecdsaSignature(r, s);
    }
    if (key instanceof RSAPublicKey && !format.equals("rsa-sha2-256")) {
      throw new MantaKeyException("ssh-agent signed with " + format + " instead of rsa-sha2-256");
    }
    return raw;
  }

  @Override
  public String toString() {
    return "AgentSigner[" + algorithm + " " + md5 + "]";
  }
}
