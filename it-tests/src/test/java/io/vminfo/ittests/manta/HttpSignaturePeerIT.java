package io.vminfo.ittests.manta;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.manta.MantaClient;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaSigner;
import io.vminfo.manta.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Authorization headers manta-client sends, checked by npm http-signature 1.4.0 (the library
 * muskie verifies with), for every algorithm the client can sign with.
 */
class HttpSignaturePeerIT {
  static NodePeers peers;

  @TempDir Path tmp;

  @BeforeAll
  static void install() {
    peers = NodePeers.installOrSkip("http-signature peer tests");
  }

  /** Accepts one request, answers 404 and returns the request head's headers. */
  private static CompletableFuture<Map<String, String>> captureOne(ServerSocket server) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
              int b = in.read();
              if (b < 0) {
                break;
              }
              head.write(b);
            }
            String body = "{\"code\":\"ResourceNotFound\",\"message\":\"x\"}";
            s.getOutputStream()
                .write(
                    ("HTTP/1.1 404 Not Found\r\nContent-Length: "
                            + body.length()
                            + "\r\nConnection: close\r\n\r\n"
                            + body)
                        .getBytes(StandardCharsets.ISO_8859_1));
            Map<String, String> headers = new LinkedHashMap<>();
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            headers.put(":request", lines[0]);
            for (int i = 1; i < lines.length; i++) {
              int c = lines[i].indexOf(':');
              if (c > 0) {
                headers.put(
                    lines[i].substring(0, c).toLowerCase(), lines[i].substring(c + 1).trim());
              }
            }
            return headers;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void everyAlgorithmVerifies() throws Exception {
    Map<String, MantaSigner> signers = new LinkedHashMap<>();
    Map<String, MantaKey> keys = new LinkedHashMap<>();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    MantaKey rsaKey = new MantaKey(rsa.generateKeyPair());
    for (String alg : new String[] {"rsa-sha1", "rsa-sha256", "rsa-sha512"}) {
      signers.put(alg, MantaSigner.of(rsaKey, alg));
      keys.put(alg, rsaKey);
    }
    for (String curve : new String[] {"secp256r1", "secp384r1", "secp521r1"}) {
      KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
      ec.initialize(new ECGenParameterSpec(curve));
      MantaKey k = new MantaKey(ec.generateKeyPair());
      signers.put(k.defaultAlgorithm() + " " + curve, MantaSigner.of(k));
      keys.put(k.defaultAlgorithm() + " " + curve, k);
    }
    MantaKey ed = new MantaKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    signers.put("ed25519-sha512", MantaSigner.of(ed));
    keys.put("ed25519-sha512", ed);

    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    Map<String, String> expectedAlg = new LinkedHashMap<>();
    for (Map.Entry<String, MantaSigner> e : signers.entrySet()) {
      MantaSigner signer = e.getValue();
      try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          MantaClient c =
              MantaClient.create(
                  MantaConfig.builder()
                      .url("http://127.0.0.1:" + server.getLocalPort())
                      .user("alice")
                      .subuser("ops")
                      .signer(signer)
                      .retryPolicy(RetryPolicy.none())
                      .build())) {
        CompletableFuture<Map<String, String>> captured = captureOne(server);
        try {
          c.blocking().head("/alice/stor/x");
        } catch (MantaException expected) {
          // the capture server answers 404
        }
        Map<String, String> h = captured.get(10, TimeUnit.SECONDS);
        Map<String, String> line = new LinkedHashMap<>();
        line.put("name", e.getKey());
        line.put("method", "HEAD");
        line.put("url", "/alice/stor/x");
        line.put("date", h.get("date"));
        line.put("authorization", h.get("authorization"));
        line.put("publicKey", keys.get(e.getKey()).publicKeyLine());
        lines.add(json.writeValueAsString(line));
        expectedAlg.put(e.getKey(), signer.algorithm());
        assertThat(h.get("authorization"))
            .startsWith("Signature keyId=\"/alice/ops/keys/" + signer.md5Fingerprint() + "\"");
      }
    }
    Path script = tmp.resolve("verify-signatures.js");
    try (InputStream in = getClass().getResourceAsStream("/manta/verify-signatures.js")) {
      Files.write(script, in.readAllBytes());
    }
    NodePeers.Run run = peers.script(script, String.join("\n", lines) + "\n");
    assertThat(run.exit()).as(run.err()).isZero();
    String[] results = run.out().trim().split("\n");
    assertThat(results).hasSize(signers.size());
    for (String r : results) {
      JsonNode n = json.readTree(r);
      assertThat(n.get("ok").asBoolean()).as(r).isTrue();
      assertThat(n.get("algorithm").asText().toLowerCase())
          .isEqualTo(expectedAlg.get(n.get("name").asText()));
    }
    System.out.println("http-signature@1.4.0 verified: " + String.join(", ", expectedAlg.values()));
  }
}
