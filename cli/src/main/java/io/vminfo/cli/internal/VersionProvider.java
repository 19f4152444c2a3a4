package io.vminfo.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code vminfo --version}: the project version the build wrote into version.properties. */
public final class VersionProvider implements CommandLine.IVersionProvider {
  private static final String RESOURCE = "/io/vminfo/cli/version.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
      "vminfo " + version(),
      "Java "
          + Runtime.version()
          + " ("
          + System.getProperty("java.vendor", "unknown vendor")
          + ")",
    };
  }

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
