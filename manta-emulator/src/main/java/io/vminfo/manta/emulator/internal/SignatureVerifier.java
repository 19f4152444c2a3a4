package io.vminfo.manta.emulator.internal;

import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks {@code Authorization: Signature ...} headers the way muskie does (http-signature's
 * parseRequest plus mahi's key lookup): the date must be within the allowed clock skew, the key id
 * names a registered key by MD5 fingerprint and the signature verifies over the listed headers.
 */
public final class SignatureVerifier {
  static final Duration CLOCK_SKEW = Duration.ofSeconds(300);

  /** Who made a request. */
  public record Caller(String login, Optional<String> subuser) {
    String displayName() {
      return subuser.map(s -> login + "/" + s).orElse(login);
    }
  }

  private final Accounts accounts;
  private final Clock clock;

  /**
   * Signatures already verified, by Authorization header and date. A client signing the same date
   * with the same key sends the same bytes (RSA PKCS#1 v1.5 and Ed25519 are deterministic), so
   * checking them again would only burn CPU that load tests want for the client.
   */
  private final Map<String, Caller> verified =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Caller> eldest) {
              return size() > 256;
            }
          });

  public SignatureVerifier(Accounts accounts, Clock clock) {
    this.accounts = accounts;
    this.clock = clock;
  }

  /** Returns the caller, or empty for an anonymous request (no Authorization header). */
  public Optional<Caller> verify(HttpRequest request) {
    String dateHeader = request.headers().get("date");
    if (dateHeader == null) {
      dateHeader = request.headers().get("x-date");
    }
    if (dateHeader != null) {
      checkSkew(dateHeader);
    }
    String authorization = request.headers().get("authorization");
    if (authorization == null) {
      return Optional.empty();
    }
    int space = authorization.indexOf(' ');
    if (space <= 0) {
      throw MantaError.invalidHeader("Invalid Authorization header");
    }
    String scheme = authorization.substring(0, space);
    if (!scheme.equalsIgnoreCase("signature")) {
      throw new MantaError(
          403,
          "AuthorizationSchemeNotAllowed",
          scheme.toLowerCase(Locale.ROOT) + " is not allowed (use 'signature')");
    }
    String cacheKey = authorization + "\n" + dateHeader;
    if (dateHeader != null && !request.headers().contains("role")) {
      Caller known = verified.get(cacheKey);
      if (known != null && accounts.exists(known.login())) {
        return Optional.of(known);
      }
    }
    Map<String, String> params = parseParams(authorization.substring(space + 1));
    String keyId = require(params, "keyId");
    String algorithm = require(params, "algorithm").toLowerCase(Locale.ROOT);
    String signature = require(params, "signature");
    String headers = params.getOrDefault("headers", "date").toLowerCase(Locale.ROOT);
    String signingString = signingString(request, headers);

    String[] alg = algorithm.split("-");
    String javaAlg = alg.length == 2 ? javaAlgorithm(alg[0], alg[1]) : null;
    if (javaAlg == null) {
      throw new MantaError(
          401,
          "InvalidAlgorithm",
          algorithm.toUpperCase(Locale.ROOT)
              + " is not a supported signing algorithm. Supported algorithms are RSA-SHA1, RSA-SHA256, "
              + "RSA-SHA512, ECDSA-SHA256, ECDSA-SHA512, ED25519-SHA512 (http-signature has no SHA384)");
    }
    Signer signer = signer(keyId);
    RegisteredKey key = signer.key();
    if (!key.type().equals(alg[0]) || !verifies(javaAlg, key, signingString, signature)) {
      throw new MantaError(
          403, "InvalidSignature", "The signature we calculated does not match the one you sent");
    }
    Caller caller = signer.caller();
    if (dateHeader != null && headers.equals("date")) {
      verified.put(cacheKey, caller);
    }
    return Optional.of(caller);
  }

  private record Signer(Caller caller, RegisteredKey key) {}

  /** Finds the key a {@code keyId} names, failing as mahi does for each way it can be wrong. */
  private Signer signer(String keyId) {
    String[] k = keyId.split("/", -1);
    String login;
    Optional<String> subuser;
    String fingerprint;
    if (k.length == 4 && k[0].isEmpty() && k[2].equals("keys")) {
      login = k[1];
      subuser = Optional.empty();
      fingerprint = k[3];
    } else if (k.length == 5 && k[0].isEmpty() && k[3].equals("keys") && !k[2].isEmpty()) {
      login = k[1];
      subuser = Optional.of(k[2]);
      fingerprint = k[4];
    } else {
      throw new MantaError(403, "InvalidKeyId", "the KeyId token you provided is invalid");
    }
    if (login.isEmpty() || fingerprint.isEmpty()) {
      throw new MantaError(403, "InvalidKeyId", "the KeyId token you provided is invalid");
    }
    if (!accounts.exists(login)) {
      throw new MantaError(403, "AccountDoesNotExist", login + " does not exist");
    }
    if (subuser.isPresent() && !accounts.hasUser(login, subuser.get())) {
      throw new MantaError(
          403, "UserDoesNotExist", login + "/" + subuser.get() + " does not exist");
    }
    RegisteredKey key =
        accounts
            .key(login, subuser, fingerprint)
            .orElseThrow(
                () ->
                    new MantaError(
                        403,
                        "KeyDoesNotExist",
                        subuser.map(s -> "/" + login + "/" + s).orElse("/" + login)
                            + "/keys/"
                            + fingerprint
                            + " does not exist"));
    return new Signer(new Caller(login, subuser), key);
  }

  /**
   * Verifies a pre-signed URL (node-manta's {@code msign}, java-manta's {@code getAsSignedURI}):
   * the query carries {@code algorithm}, {@code expires} (epoch seconds), {@code keyId} and {@code
   * signature}; the signed text is the methods, the Host header, the raw path and the other query
   * parameters sorted and RFC 3986 encoded, one per line, as muskie builds it.
   */
  public Optional<Caller> verifyPresigned(
      HttpRequest request, String rawPath, Map<String, List<String>> query) {
    List<String> missing = new java.util.ArrayList<>();
    for (String k : List.of("algorithm", "expires", "keyId", "signature")) {
      if (first(query, k).isEmpty()) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      throw presignedError("parameters \"" + String.join(", ", missing) + "\" are required");
    }
    List<String> methods =
        new java.util.ArrayList<>(
            List.of(first(query, "method").orElse(request.method().name()).split("\\s*,\\s*")));
    java.util.Collections.sort(methods);
    if (!methods.contains(request.method().name())) {
      throw presignedError(request.method().name() + " was not a signed method");
    }
    long expires;
    try {
      expires = Long.parseLong(first(query, "expires").orElseThrow().trim());
    } catch (NumberFormatException e) {
      throw presignedError("expires is invalid");
    }
    if (clock.instant().getEpochSecond() > expires) {
      throw presignedError("request expired");
    }
    String algorithm = first(query, "algorithm").orElseThrow().toLowerCase(Locale.ROOT);
    String[] alg = algorithm.split("-");
    String javaAlg = alg.length == 2 ? javaAlgorithm(alg[0], alg[1]) : null;
    if (javaAlg == null) {
      throw presignedError(
          algorithm.toUpperCase(Locale.ROOT) + " is not a supported signing algorithm");
    }
    Signer signer = signer(first(query, "keyId").orElseThrow());
    String host = Optional.ofNullable(request.headers().get("host")).orElse("");
    StringBuilder text =
        new StringBuilder()
            .append(String.join(",", methods))
            .append('\n')
            .append(host)
            .append('\n')
            .append(rawPath)
            .append('\n');
    List<String> names = new java.util.ArrayList<>(query.keySet());
    names.removeIf(n -> n.equalsIgnoreCase("signature"));
    java.util.Collections.sort(names);
    boolean firstParam = true;
    for (String n : names) {
      for (String v : query.get(n)) {
        if (!firstParam) {
          text.append('&');
        }
        firstParam = false;
        text.append(rfc3986(n)).append('=').append(rfc3986(v));
      }
    }
    if (!signer.key().type().equals(alg[0])
        // A raw '+' of the base64 signature arrives decoded as a space.
        || !verifies(
            javaAlg,
            signer.key(),
            text.toString(),
            first(query, "signature").orElseThrow().replace(' ', '+'))) {
      throw new MantaError(
          403, "InvalidSignature", "The signature we calculated does not match the one you sent");
    }
    return Optional.of(signer.caller());
  }

  /**
   * True when a request without Authorization carries any pre-signed URL parameter (muskie's test).
   */
  public static boolean isPresigned(HttpRequest request, Map<String, List<String>> query) {
    return request.headers().get("authorization") == null
        && (query.containsKey("expires")
            || query.containsKey("signature")
            || query.containsKey("keyId")
            || query.containsKey("algorithm"));
  }

  private static MantaError presignedError(String message) {
    return new MantaError(403, "InvalidQueryStringAuthentication", message);
  }

  private static Optional<String> first(Map<String, List<String>> query, String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() || v.get(0).isEmpty()
        ? Optional.empty()
        : Optional.of(v.get(0));
  }

  /** Percent-encodes everything but RFC 3986's unreserved characters. */
  static String rfc3986(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }

  private void checkSkew(String dateHeader) {
    Instant sent;
    try {
      sent = ZonedDateTime.parse(dateHeader, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw MantaError.invalidHeader("Date header is invalid");
    }
    Duration skew = Duration.between(sent, clock.instant()).abs();
    if (skew.compareTo(CLOCK_SKEW) > 0) {
      throw new MantaError(400, "RequestExpired", "Date header " + dateHeader + " is too old");
    }
  }

  private static boolean verifies(
      String javaAlg, RegisteredKey key, String signingString, String signature) {
    try {
      Signature verifier = Signature.getInstance(javaAlg);
      verifier.initVerify(key.key());
      verifier.update(signingString.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(Base64.getDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String javaAlgorithm(String keyType, String hash) {
    String h;
    switch (hash) {
      case "sha1":
        h = "SHA1";
        break;
      case "sha256":
        h = "SHA256";
        break;
      case "sha512":
        h = "SHA512";
        break;
      default:
        return null;
    }
    switch (keyType) {
      case "rsa":
        return h + "withRSA";
      case "ecdsa":
        return h.equals("SHA1") ? null : h + "withECDSA";
      case "ed25519":
        return h.equals("SHA512") ? "Ed25519" : null;
      default:
        return null;
    }
  }

  private static String signingString(HttpRequest request, String headerList) {
    StringBuilder out = new StringBuilder();
    for (String name : headerList.trim().split("\\s+")) {
      if (out.length() > 0) {
        out.append('\n');
      }
      if (name.equals("(request-target)") || name.equals("request-line")) {
        if (name.equals("request-line")) {
          out.append(request.method().name())
              .append(' ')
              .append(request.uri())
              .append(' ')
              .append(request.protocolVersion().text());
        } else {
          out.append("(request-target): ")
              .append(request.method().name().toLowerCase(Locale.ROOT))
              .append(' ')
              .append(request.uri());
        }
        continue;
      }
      String value = request.headers().get(name);
      if (value == null) {
        throw MantaError.invalidHeader(
            "Invalid Signature Authorization header: " + name + " was not in the request");
      }
      out.append(name).append(": ").append(value);
    }
    return out.toString();
  }

  private static String require(Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null || v.isEmpty()) {
      throw MantaError.invalidHeader(
          "Invalid Signature Authorization header: " + name + " was not specified");
    }
    return v;
  }

  /**
   * Parses {@code a="b",c="d"}; values are quoted strings without escapes, as http-signature emits.
   */
  static Map<String, String> parseParams(String s) {
    Map<String, String> out = new HashMap<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && (s.charAt(i) == ',' || s.charAt(i) == ' ')) {
        i++;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String name = s.substring(i, eq).trim();
      if (eq + 1 >= n || s.charAt(eq + 1) != '"') {
        throw MantaError.invalidHeader(
            "Invalid Signature Authorization header: bad parameter " + name);
      }
      int end = s.indexOf('"', eq + 2);
      if (end < 0) {
        throw MantaError.invalidHeader(
            "Invalid Signature Authorization header: unterminated " + name);
      }
      out.put(name, s.substring(eq + 2, end));
      i = end + 1;
    }
    return out;
  }
}
