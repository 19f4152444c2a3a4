package io.vminfo.cli.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares output with a golden file under {@code src/test/resources/golden/}, exactly. {@code
 * -Dgolden.update=true} rewrites the files from the actual output (then review the diff).
 */
public final class Golden {
  private Golden() {}

  public static void assertMatches(String name, String actual) {
    if (Boolean.getBoolean("golden.update")) {
      Path file = Path.of("src/test/resources/golden", name);
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    assertThat(actual).as("output vs golden/%s", name).isEqualTo(read(name));
  }

  public static String read(String name) {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError(
            "golden file missing: src/test/resources/golden/"
                + name
                + " (run with -Dgolden.update=true to create it, then review it)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
