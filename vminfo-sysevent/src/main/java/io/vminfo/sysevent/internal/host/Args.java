package io.vminfo.sysevent.internal.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Argument checks shared by the builders (fail fast with a clear message). */
public final class Args {
  private Args() {}

  public static Path hostRoot(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("host root " + root + " is not a directory");
    }
    return root;
  }
}
