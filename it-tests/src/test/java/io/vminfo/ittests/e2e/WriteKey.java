package io.vminfo.ittests.e2e;

import io.vminfo.manta.HttpSignatures;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaKeys;
import io.vminfo.manta.MantaSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An operator's key for the agent's write routes: a private key file (PKCS#8 PEM, for the CLI's
 * {@code --key}), the {@code actions.authorized_keys} file listing its public half, and signed
 * POSTs for tests that call the API directly.
 */
final class WriteKey {
  static final List<String> SIGNED = List.of(HttpSignatures.REQUEST_TARGET, "date", "x-request-id");

  final Path privateKey;
  final Path authorizedKeys;
  final MantaKey key;

  private WriteKey(Path privateKey, Path authorizedKeys, MantaKey key) {
    this.privateKey = privateKey;
    this.authorizedKeys = authorizedKeys;
    this.key = key;
  }

  static WriteKey create(Path dir, String owner) throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path priv = dir.resolve("operator.pem");
    Files.writeString(
        priv,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    MantaKey key = MantaKeys.load(priv);
    Path authorized =
        Files.writeString(dir.resolve("authorized_keys"), key.publicKeyLine() + " " + owner + "\n");
    return new WriteKey(priv, authorized, key);
  }

  /** A POST of {@code uri} signed as the agent wants it. */
  HttpRequest.Builder post(URI uri) {
    String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atZone(ZoneOffset.UTC));
    String id = UUID.randomUUID().toString();
    String signing =
        HttpSignatures.signingString(
            SIGNED,
            "POST",
            target,
            h ->
                h.equals("date")
                    ? Optional.of(date)
                    : h.equals("x-request-id") ? Optional.of(id) : Optional.empty());
    return HttpRequest.newBuilder(uri)
        .header("Date", date)
        .header("X-Request-Id", id)
        .header(
            "Authorization",
            HttpSignatures.authorization(
                MantaSigner.of(key), "/ops/keys/" + key.md5Fingerprint(), SIGNED, signing))
        .POST(HttpRequest.BodyPublishers.noBody());
  }
}
