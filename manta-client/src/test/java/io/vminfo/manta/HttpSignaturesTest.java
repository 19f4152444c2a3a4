package io.vminfo.manta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HttpSignaturesTest {
  static final List<String> SIGNED = List.of(HttpSignatures.REQUEST_TARGET, "date");
  static final Map<String, String> HEADERS = Map.of("date", "Mon, 07 Dec 2026 10:00:00 GMT");

  static Stream<MantaKey> keys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
    return Stream.of(
        new MantaKey(rsa.generateKeyPair()),
        new MantaKey(ec.generateKeyPair()),
        new MantaKey(ed.generateKeyPair()));
  }

  static String signingString(String method, String uri) {
    return HttpSignatures.signingString(
        SIGNED, method, uri, h -> Optional.ofNullable(HEADERS.get(h)));
  }

  @ParameterizedTest
  @MethodSource("keys")
  void aSignatureVerifiesWithItsKeyAndOnlyOverWhatWasSigned(MantaKey key) throws Exception {
    String header =
        HttpSignatures.authorization(
            MantaSigner.of(key),
            "/ops/keys/" + key.md5Fingerprint(),
            SIGNED,
            signingString("POST", "/vms/abc/start"));
    HttpSignatures.Parsed parsed = HttpSignatures.parse(header);

    assertThat(parsed.keyId()).isEqualTo("/ops/keys/" + key.md5Fingerprint());
    assertThat(parsed.algorithm()).isEqualTo(key.defaultAlgorithm());
    assertThat(parsed.headers()).containsExactly("(request-target)", "date");
    assertThat(
            HttpSignatures.verify(parsed, key.publicKey(), signingString("POST", "/vms/abc/start")))
        .isTrue();
    // another route, another method, another key: refused
    assertThat(
            HttpSignatures.verify(
                parsed, key.publicKey(), signingString("POST", "/vms/abc/poweroff")))
        .isFalse();
    assertThat(
            HttpSignatures.verify(parsed, key.publicKey(), signingString("GET", "/vms/abc/start")))
        .isFalse();
    MantaKey other = keys().filter(k -> k.type() == key.type()).findFirst().orElseThrow();
    assertThat(
            HttpSignatures.verify(
                parsed, other.publicKey(), signingString("POST", "/vms/abc/start")))
        .isFalse();
  }

  @Test
  void anAlgorithmThatDoesNotFitTheKeyIsRefusedAndAnUnknownOneIsNamed() throws Exception {
    MantaKey rsa = keys().findFirst().orElseThrow();
    String s = signingString("POST", "/x");
    String header = HttpSignatures.authorization(MantaSigner.of(rsa), "/k", SIGNED, s);
    HttpSignatures.Parsed asEcdsa =
        HttpSignatures.parse(header.replace("rsa-sha256", "ecdsa-sha256"));
    assertThat(HttpSignatures.verify(asEcdsa, rsa.publicKey(), s)).isFalse();
    HttpSignatures.Parsed md5 = HttpSignatures.parse(header.replace("rsa-sha256", "rsa-md5"));
    assertThatThrownBy(() -> HttpSignatures.verify(md5, rsa.publicKey(), s))
        .isInstanceOfSatisfying(
            HttpSignatureException.class, e -> assertThat(e.code()).isEqualTo("InvalidAlgorithm"));
  }

  @Test
  void malformedHeadersAreInvalidHeaderWithTheReason() {
    assertThat(code("Basic b3BzOnNlY3JldA==")).isEqualTo("InvalidHeader");
    assertThat(code("Signature")).isEqualTo("InvalidHeader");
    assertThat(code("Signature algorithm=\"rsa-sha256\",signature=\"AAAA\""))
        .isEqualTo("InvalidHeader");
    assertThat(code("Signature keyId=\"/k\",algorithm=\"rsa-sha256\",signature=\"not base64!\""))
        .isEqualTo("InvalidHeader");
    assertThat(code("Signature keyId=/k")).isEqualTo("InvalidHeader");
    assertThat(code("Signature keyId=\"/k")).isEqualTo("InvalidHeader");
    assertThatThrownBy(
            () -> HttpSignatures.signingString(SIGNED, "POST", "/x", h -> Optional.empty()))
        .hasMessageContaining("date was not in the request");
  }

  @Test
  void twoParsesOfOneHeaderAreEqualAndTheSignatureCannotBeChangedFromOutside() {
    String header = "Signature keyId=\"/k\",algorithm=\"rsa-sha256\",signature=\"AAECAw==\"";
    HttpSignatures.Parsed a = HttpSignatures.parse(header);
    HttpSignatures.Parsed b = HttpSignatures.parse(header);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a)
        .isNotEqualTo(
            HttpSignatures.parse(
                "Signature keyId=\"/k\",algorithm=\"rsa-sha256\",signature=\"AAECBA==\""));
    a.signature()[0] = 9;
    assertThat(a.signature()).containsExactly(0, 1, 2, 3);
    assertThat(a.toString()).contains("/k").doesNotContain("AAECAw");
  }

  @Test
  void headersDefaultToTheDateAloneAsManta() {
    HttpSignatures.Parsed p =
        HttpSignatures.parse("Signature keyId=\"/k\",algorithm=\"rsa-sha256\",signature=\"AAAA\"");
    assertThat(p.headers()).containsExactly("date");
  }

  private static String code(String header) {
    try {
      HttpSignatures.parse(header);
      return "parsed";
    } catch (HttpSignatureException e) {
      return e.code();
    }
  }
}
