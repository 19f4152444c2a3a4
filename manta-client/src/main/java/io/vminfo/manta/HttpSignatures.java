package io.vminfo.manta;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The HTTP Signature scheme Manta uses ({@code Authorization: Signature keyId="...",
 * algorithm="rsa-sha256",headers="date",signature="..."}), both sides: building the header for any
 * list of signed headers, and parsing and verifying one. Other services (the vminfo agent's write
 * routes) authenticate with the same keys and the same code.
 */
public final class HttpSignatures {
  /** The pseudo-header that signs the method and the path with its query. */
  public static final String REQUEST_TARGET = "(request-target)";

  private HttpSignatures() {}

  /** A parsed {@code Authorization: Signature} header. */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; equals and hashCode by content
  public record Parsed(String keyId, String algorithm, List<String> headers, byte[] signature) {
    public Parsed {
      headers = List.copyOf(headers);
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }

    // a record compares arrays by identity: two parses of one header must be equal
    @Override
    public boolean equals(Object o) {
      return o instanceof Parsed p
          && keyId.equals(p.keyId)
          && algorithm.equals(p.algorithm)
          && headers.equals(p.headers)
          && java.util.Arrays.equals(signature, p.signature);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(
          keyId, algorithm, headers, java.util.Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
      return "Parsed[keyId=" + keyId + ", algorithm=" + algorithm + ", headers=" + headers + "]";
    }
  }

  /**
   * Builds the Authorization header value: {@code signingString} must be what {@link
   * #signingString} gives for {@code headers}.
   */
  public static String authorization(
      MantaSigner signer, String keyId, List<String> headers, String signingString) {
    byte[] sig = signer.sign(signingString.getBytes(StandardCharsets.UTF_8));
    return "Signature keyId=\""
        + keyId
        + "\",algorithm=\""
        + signer.algorithm()
        + "\",headers=\""
        + String.join(" ", headers)
        + "\",signature=\""
        + Base64.getEncoder().encodeToString(sig)
        + "\"";
  }

  /**
   * The string that is signed: one {@code name: value} line per header, in the order listed, {@code
   * (request-target)} as the lower-case method and the request URI.
   *
   * @throws HttpSignatureException {@code InvalidHeader} when a listed header is missing
   */
  public static String signingString(
      List<String> headers, String method, String uri, Function<String, Optional<String>> header) {
    StringBuilder out = new StringBuilder();
    for (String name : headers) {
      if (out.length() > 0) {
        out.append('\n');
      }
      if (name.equals(REQUEST_TARGET)) {
        out.append(REQUEST_TARGET)
            .append(": ")
            .append(method.toLowerCase(Locale.ROOT))
            .append(' ')
            .append(uri);
        continue;
      }
      String value =
          header
              .apply(name)
              .orElseThrow(
                  () ->
                      new HttpSignatureException(
                          "InvalidHeader",
                          "Invalid Signature Authorization header: "
                              + name
                              + " was not in the request"));
      out.append(name).append(": ").append(value);
    }
    return out.toString();
  }

  /**
   * Parses an Authorization header value.
   *
   * @throws HttpSignatureException {@code InvalidHeader} for anything but a well-formed {@code
   *     Signature} header with a key id, an algorithm and a base64 signature
   */
  public static Parsed parse(String authorization) {
    int space = authorization.indexOf(' ');
    if (space <= 0 || !authorization.substring(0, space).equalsIgnoreCase("signature")) {
      throw new HttpSignatureException(
          "InvalidHeader", "the Authorization header must use the Signature scheme");
    }
    Map<String, String> params = params(authorization.substring(space + 1));
    String keyId = required(params, "keyId");
    String algorithm = required(params, "algorithm").toLowerCase(Locale.ROOT);
    List<String> headers = new ArrayList<>();
    for (String h :
        params.getOrDefault("headers", "date").toLowerCase(Locale.ROOT).trim().split("\\s+")) {
      if (!h.isEmpty()) {
        headers.add(h);
      }
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(required(params, "signature"));
    } catch (IllegalArgumentException e) {
      throw new HttpSignatureException("InvalidHeader", "the signature is not base64");
    }
    return new Parsed(keyId, algorithm, headers, signature);
  }

  /**
   * True when {@code parsed}'s signature over {@code signingString} verifies with {@code key} under
   * the algorithm it names; an algorithm that does not fit the key type is false.
   *
   * @throws HttpSignatureException {@code InvalidAlgorithm} for an algorithm Manta does not know
   */
  public static boolean verify(Parsed parsed, PublicKey key, String signingString) {
    String[] alg = parsed.algorithm().split("-");
    String javaAlgorithm = alg.length == 2 ? javaAlgorithm(alg[0], alg[1]) : null;
    if (javaAlgorithm == null) {
      throw new HttpSignatureException(
          "InvalidAlgorithm",
          parsed.algorithm()
              + " is not a supported signing algorithm (rsa-sha1, rsa-sha256, rsa-sha512, ecdsa-sha256, "
              + "ecdsa-sha512, ed25519-sha512)");
    }
    if (!alg[0].equals(keyType(key))) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(javaAlgorithm);
      verifier.initVerify(key);
      verifier.update(signingString.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(parsed.signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String keyType(PublicKey key) {
    if (key instanceof RSAPublicKey) {
      return "rsa";
    }
    if (key instanceof ECPublicKey) {
      return "ecdsa";
    }
    return key.getAlgorithm().equalsIgnoreCase("Ed25519")
            || key.getAlgorithm().equalsIgnoreCase("EdDSA")
        ? "ed25519"
        : key.getAlgorithm().toLowerCase(Locale.ROOT);
  }

  private static String javaAlgorithm(String keyType, String hash) {
    String h =
        switch (hash) {
          case "sha1" -> "SHA1";
          case "sha256" -> "SHA256";
          case "sha512" -> "SHA512";
          default -> null;
        };
    if (h == null) {
      return null;
    }
    return switch (keyType) {
      case "rsa" -> h + "withRSA";
      case "ecdsa" -> h.equals("SHA1") ? null : h + "withECDSA";
      case "ed25519" -> h.equals("SHA512") ? "Ed25519" : null;
      default -> null;
    };
  }

  private static String required(Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null || v.isEmpty()) {
      throw new HttpSignatureException(
          "InvalidHeader",
          "Invalid Signature Authorization header: " + name + " was not specified");
    }
    return v;
  }

  /** {@code a="b",c="d"}: quoted values without escapes, as http-signature writes them. */
  private static Map<String, String> params(String s) {
    Map<String, String> out = new HashMap<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && (s.charAt(i) == ',' || s.charAt(i) == ' ')) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0 || eq + 1 >= n || s.charAt(eq + 1) != '"') {
        throw new HttpSignatureException(
            "InvalidHeader", "Invalid Signature Authorization header: bad parameter at " + i);
      }
      int end = s.indexOf('"', eq + 2);
      if (end < 0) {
        throw new HttpSignatureException(
            "InvalidHeader",
            "Invalid Signature Authorization header: unterminated " + s.substring(i, eq).trim());
      }
      out.put(s.substring(i, eq).trim(), s.substring(eq + 2, end));
      i = end + 1;
    }
    return out;
  }
}
