package io.vminfo.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A PKCS12 store with one self-signed EC key (secp256r1), made by the JDK's keytool: no test
 * dependency can make a certificate. For TLS servers in tests and the clients that trust them.
 */
public final class SelfSignedKeyStore {
  /** The password of the store and of its key. */
  public static final char[] PASSWORD = "changeit".toCharArray();

  private final KeyStore store;

  private SelfSignedKeyStore(KeyStore store) {
    this.store = store;
  }

  /**
   * Makes the store in {@code dir} for {@code dname} (e.g. "CN=localhost"), with the subject
   * alternative names {@code san} (keytool's syntax, e.g. "ip:127.0.0.1"; none for no extension).
   */
  public static SelfSignedKeyStore create(Path dir, String dname, String san)
      throws IOException, GeneralSecurityException {
    Path ks = Files.createTempFile(dir, "self-signed", ".p12");
    Files.delete(ks); // keytool makes it
    String password = new String(PASSWORD);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-alias",
                "test",
                "-dname",
                dname,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                password,
                "-keypass",
                password));
    if (!san.isEmpty()) {
      cmd.addAll(List.of("-ext", "SAN=" + san));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for keytool", e);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, PASSWORD);
    }
    return new SelfSignedKeyStore(store);
  }

  public KeyStore keyStore() {
    return store;
  }

  /** A server context presenting the key. */
  public SSLContext serverContext() throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** A client context that trusts the key's certificate (and nothing else). */
  public SSLContext trustingContext() throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
