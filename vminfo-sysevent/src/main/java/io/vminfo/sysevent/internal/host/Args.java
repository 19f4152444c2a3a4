package io.vminfo.sysevent.internal.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the builders (fail fast with a clear message). */
public final class Args {
  private Args() {}

  public static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }

  public static Path hostRoot(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("host root " + root + " is not a directory");
    }
    return root;
  }
}
