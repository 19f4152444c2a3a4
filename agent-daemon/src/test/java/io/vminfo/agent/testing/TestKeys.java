package io.vminfo.agent.testing;

import io.vminfo.manta.MantaKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/**
 * A fresh RSA key written as a PKCS#8 PEM file (mode 0600), as {@code ssh-keygen -m PKCS8} would.
 */
public record TestKeys(KeyPair pair, Path privateKeyFile, String md5Fingerprint) {
  public static TestKeys generate(Path file) throws IOException, GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(kp.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return new TestKeys(kp, file, MantaKeys.md5Fingerprint(kp.getPublic()));
  }
}
