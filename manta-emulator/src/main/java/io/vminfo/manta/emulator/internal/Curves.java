package io.vminfo.manta.emulator.internal;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/** The three NIST curves SSH keys use, by their SSH names. */
final class Curves {
  private Curves() {}

  static ECParameterSpec params(String sshName) {
    String std;
    switch (sshName) {
      case "nistp256":
        std = "secp256r1";
        break;
      case "nistp384":
        std = "secp384r1";
        break;
      case "nistp521":
        std = "secp521r1";
        break;
      default:
        throw new IllegalArgumentException("unsupported curve " + sshName);
    }
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(std));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sshName(ECParameterSpec spec) {
    switch (spec.getCurve().getField().getFieldSize()) {
      case 256:
        return "nistp256";
      case 384:
        return "nistp384";
      case 521:
        return "nistp521";
      default:
        throw new IllegalArgumentException("unsupported EC curve");
    }
  }
}
