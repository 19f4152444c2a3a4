package io.vminfo.manta.internal;

import io.vminfo.manta.MantaSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the {@code date} and {@code Authorization} headers. Manta signs only the date, which has
 * one-second resolution, so a signature is reused for every request in the same second: under load
 * that turns thousands of RSA operations a second into one.
 */
public final class Authorizer {
  public static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  /** A date header and the authorization computed for it. */
  public record Signed(String date, Optional<String> authorization) {}

  private final Optional<MantaSigner> signer;
  private final String keyId;
  private final Clock clock;
  private volatile Cached last = new Cached(Long.MIN_VALUE, new Signed("", Optional.empty()));

  /** The headers for one second of the clock: formatting the date is skipped within it too. */
  private record Cached(long second, Signed signed) {}

  /**
   * @param signer empty for anonymous requests
   */
  public Authorizer(
      Optional<MantaSigner> signer, String user, Optional<String> subuser, Clock clock) {
    this.signer = signer;
    this.clock = clock;
    this.keyId =
        signer
            .map(
                s ->
                    "/"
                        + user
                        + subuser.map(u -> "/" + u).orElse("")
                        + "/keys/"
                        + s.md5Fingerprint())
            .orElse("");
  }

  public boolean blocking() {
    return signer.map(MantaSigner::blocking).orElse(false);
  }

  public Optional<MantaSigner> signer() {
    return signer;
  }

  public String keyId() {
    return keyId;
  }

  /**
   * Headers for a request made now; signs (possibly blocking, see {@link #blocking()}) once per
   * second.
   */
  public Signed now() {
    Instant now = clock.instant();
    Cached cached = last;
    if (cached.second() == now.getEpochSecond()) {
      return cached.signed();
    }
    String date = HTTP_DATE.format(now);
    Signed fresh = new Signed(date, signer.map(s -> header(s, date)));
    last = new Cached(now.getEpochSecond(), fresh);
    return fresh;
  }

  private String header(MantaSigner s, String date) {
    byte[] sig = s.sign(("date: " + date).getBytes(StandardCharsets.UTF_8));
    return "Signature keyId=\""
        + keyId
        + "\",algorithm=\""
        + s.algorithm()
        + "\",headers=\"date\",signature=\""
        + Base64.getEncoder().encodeToString(sig)
        + "\"";
  }
}
