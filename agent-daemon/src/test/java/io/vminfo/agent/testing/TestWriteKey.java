package io.vminfo.agent.testing;

import io.vminfo.manta.HttpSignatures;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** An operator key listed in {@code actions.authorized_keys}, signing raw test requests. */
public final class TestWriteKey {
  static final List<String> SIGNED = List.of(HttpSignatures.REQUEST_TARGET, "date", "x-request-id");

  public final Path authorizedKeys;
  private final MantaKey key;

  private TestWriteKey(Path authorizedKeys, MantaKey key) {
    this.authorizedKeys = authorizedKeys;
    this.key = key;
  }

  /** Writes {@code file} listing a new Ed25519 key owned by {@code owner}. */
  public static TestWriteKey create(Path file, String owner) throws IOException {
    MantaKey key;
    try {
      key = new MantaKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
    Files.writeString(file, key.publicKeyLine() + " " + owner + "\n");
    return new TestWriteKey(file, key);
  }

  /** The header lines (each ending in CRLF) that sign {@code method target} now. */
  public String headerLines(String method, String target) {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atZone(ZoneOffset.UTC));
    String id = UUID.randomUUID().toString();
    String signing =
        HttpSignatures.signingString(
            SIGNED,
            method,
            target,
            h ->
                h.equals("date")
                    ? Optional.of(date)
                    : h.equals("x-request-id") ? Optional.of(id) : Optional.empty());
    return "Date: "
        + date
        + "\r\nX-Request-Id: "
        + id
        + "\r\nAuthorization: "
        + HttpSignatures.authorization(
            MantaSigner.of(key), "/ops/keys/" + key.md5Fingerprint(), SIGNED, signing)
        + "\r\n";
  }
}
