package io.vminfo.cli.internal.agent;

import io.vminfo.core.client.RequestSigner;
import io.vminfo.manta.HttpSignatures;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaSigner;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Signs the CLI's writes with the operator's SSH key, the way the agent's write routes want them:
 * an HTTP Signature over {@code (request-target) date x-request-id}, a fresh request id each time.
 */
public final class SshKeyRequestSigner implements RequestSigner {
  static final List<String> SIGNED = List.of(HttpSignatures.REQUEST_TARGET, "date", "x-request-id");

  private final MantaSigner signer;
  private final String keyId;
  private final Clock clock;

  public SshKeyRequestSigner(MantaKey key, Clock clock) {
    this.signer = MantaSigner.of(key);
    this.keyId =
        "/" + System.getProperty("user.name", "operator") + "/keys/" + key.md5Fingerprint();
    this.clock = clock;
  }

  @Override
  public Map<String, String> headers(String method, String target) {
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().atZone(ZoneOffset.UTC));
    String requestId = UUID.randomUUID().toString();
    String signing =
        HttpSignatures.signingString(
            SIGNED,
            method,
            target,
            h ->
                h.equals("date")
                    ? Optional.of(date)
                    : h.equals("x-request-id") ? Optional.of(requestId) : Optional.empty());
    return Map.of(
        "Date",
        date,
        "X-Request-Id",
        requestId,
        "Authorization",
        HttpSignatures.authorization(signer, keyId, SIGNED, signing));
  }
}
