package io.vminfo.agent.internal;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vminfo.manta.HttpSignatureException;
import io.vminfo.manta.HttpSignatures;
import io.vminfo.manta.MantaKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may write: every write request carries an HTTP Signature (Manta's scheme) by a key listed in
 * {@code actions.authorized_keys}, signed over {@code (request-target)}, {@code date} and {@code
 * x-request-id}, so a signature is good for one method and path, for {@link #CLOCK_SKEW} around its
 * date, and once: a write is not idempotent, so a replayed signature is refused.
 */
public final class WriteAuthenticator {
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** Signatures remembered for replay checks; more writes than this inside the skew are refused. */
  static final int MAX_REMEMBERED = 100_000;

  /**
   * What a write signature must cover: the route, the date, and a request id of the client's
   * choosing (a fresh one per write), without which two identical writes in one second (the date's
   * resolution) would carry the same signature and the second would look like a replay.
   */
  public static final List<String> REQUIRED_HEADERS =
      List.of(HttpSignatures.REQUEST_TARGET, "date", "x-request-id");

  /** A key allowed to write, with the name that goes into every job it asks for. */
  record AuthorizedKey(PublicKey key, String md5Fingerprint, String name) {}

  private final Map<String, AuthorizedKey> keys;
  private final Clock clock;
  private final Set<String> seen = new HashSet<>();
  private final Deque<Map.Entry<Instant, String>> seenOrder = new ArrayDeque<>();

  WriteAuthenticator(List<AuthorizedKey> keys, Clock clock) {
    Map<String, AuthorizedKey> byFingerprint = new HashMap<>();
    for (AuthorizedKey k : keys) {
      byFingerprint.put(k.md5Fingerprint(), k);
    }
    this.keys = Map.copyOf(byFingerprint);
    this.clock = clock;
  }

  /**
   * Reads an OpenSSH {@code authorized_keys}-style file: one public key per line ({@code
   * ssh-ed25519 AAAA... name}), blank lines and {@code #} comments skipped. The comment names the
   * key's owner in the job log (the fingerprint when there is none).
   *
   * @throws IOException unreadable, no key at all, or a line that is no public key (with its
   *     number)
   */
  public static WriteAuthenticator load(Path file, Clock clock) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException("actions.authorized_keys " + file + " cannot be read: " + e, e);
    }
    List<AuthorizedKey> keys = new java.util.ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      PublicKey key;
      try {
        key = MantaKeys.parsePublicKey(line);
      } catch (RuntimeException e) {
        throw new IOException(
            "actions.authorized_keys "
                + file
                + " line "
                + (i + 1)
                + " is not an OpenSSH public key: "
                + e.getMessage(),
            e);
      }
      String[] parts = line.split("\\s+", 3);
      String fingerprint = MantaKeys.md5Fingerprint(key);
      keys.add(new AuthorizedKey(key, fingerprint, parts.length == 3 ? parts[2] : fingerprint));
    }
    if (keys.isEmpty()) {
      throw new IOException("actions.authorized_keys " + file + " lists no key");
    }
    return new WriteAuthenticator(keys, clock);
  }

  public int keyCount() {
    return keys.size();
  }

  /**
   * Checks a write request; returns who asked ({@code key:<name> <fingerprint>}).
   *
   * @throws ApiError 401 without a signature, 400 for a malformed or stale one, 403 for an unknown
   *     key, a bad signature or a replay
   */
  public String authenticate(HttpRequest request) throws ApiError {
    String authorization = request.headers().get("authorization");
    if (authorization == null) {
      throw new ApiError(
          HttpResponseStatus.UNAUTHORIZED,
          "NotAuthenticated",
          "writes need an HTTP Signature (headers \"(request-target) date x-request-id\") by a"
              + " key in actions.authorized_keys; the CLI signs with --key");
    }
    HttpSignatures.Parsed sig;
    String signingString;
    try {
      sig = HttpSignatures.parse(authorization);
      if (!sig.headers().containsAll(REQUIRED_HEADERS)) {
        throw new ApiError(
            HttpResponseStatus.BAD_REQUEST,
            "InvalidHeader",
            "the signature must cover "
                + String.join(" ", REQUIRED_HEADERS)
                + " (it covers "
                + String.join(" ", sig.headers())
                + ")");
      }
      signingString =
          HttpSignatures.signingString(
              sig.headers(),
              request.method().name(),
              request.uri(),
              h -> Optional.ofNullable(request.headers().get(h)));
    } catch (HttpSignatureException e) {
      throw new ApiError(HttpResponseStatus.BAD_REQUEST, e.code(), e.getMessage());
    }
    Instant now = clock.instant();
    Instant sent = dateOf(request.headers().get("date"));
    if (Duration.between(sent, now).abs().compareTo(CLOCK_SKEW) > 0) {
      throw new ApiError(
          HttpResponseStatus.BAD_REQUEST,
          "RequestExpired",
          "the request's date "
              + request.headers().get("date")
              + " is more than "
              + CLOCK_SKEW.toMinutes()
              + " minutes from the agent's clock");
    }
    String fingerprint = sig.keyId().substring(sig.keyId().lastIndexOf('/') + 1);
    AuthorizedKey key = keys.get(fingerprint);
    if (key == null) {
      throw new ApiError(
          HttpResponseStatus.FORBIDDEN,
          "KeyDoesNotExist",
          "key " + RequestTarget.shorten(sig.keyId()) + " is not in actions.authorized_keys");
    }
    boolean good;
    try {
      good = HttpSignatures.verify(sig, key.key(), signingString);
    } catch (HttpSignatureException e) {
      throw new ApiError(HttpResponseStatus.BAD_REQUEST, e.code(), e.getMessage());
    }
    if (!good) {
      throw new ApiError(
          HttpResponseStatus.FORBIDDEN,
          "InvalidSignature",
          "the signature does not verify with key " + key.md5Fingerprint());
    }
    remember(Base64.getEncoder().encodeToString(sig.signature()), now);
    return "key:" + key.name() + " " + key.md5Fingerprint();
  }

  private synchronized void remember(String signature, Instant now) throws ApiError {
    Instant horizon = now.minus(CLOCK_SKEW.multipliedBy(2));
    while (!seenOrder.isEmpty() && seenOrder.peekFirst().getKey().isBefore(horizon)) {
      seen.remove(seenOrder.pollFirst().getValue());
    }
    if (seen.contains(signature)) {
      throw new ApiError(
          HttpResponseStatus.FORBIDDEN,
          "RequestReplayed",
          "this signature was used before; sign each write afresh");
    }
    if (seen.size() >= MAX_REMEMBERED) {
      throw new ApiError(
          HttpResponseStatus.TOO_MANY_REQUESTS,
          "TooManyRequests",
          "more than "
              + MAX_REMEMBERED
              + " writes in "
              + CLOCK_SKEW.multipliedBy(2).toMinutes()
              + " minutes");
    }
    seen.add(signature);
    seenOrder.addLast(Map.entry(now, signature));
  }

  private static Instant dateOf(String header) throws ApiError {
    try {
      return ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException | NullPointerException e) {
      throw new ApiError(
          HttpResponseStatus.BAD_REQUEST,
          "InvalidHeader",
          "the date header is missing or not an HTTP date");
    }
  }
}
