package io.vminfo.usage.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the file channels the spool writes through. The one seam where tests put a file system that
 * fills up or fails; production uses {@link #DEFAULT}.
 */
@FunctionalInterface
public interface FileChannels {
  FileChannel open(Path path, OpenOption... options) throws IOException;

  /** The file system itself; files it creates are 0640 ({@link BillingFilePermissions}). */
  FileChannels DEFAULT =
      (path, options) ->
          FileChannel.open(path, Set.of(options), BillingFilePermissions.forFile(path));
}
