package io.vminfo.usage;

import java.util.Objects;

/**
 * What the store says it stored: the path, the MD5 it computed over the bytes it received (base64,
 * as in HTTP {@code Content-MD5} and Manta's {@code Computed-MD5}) and the size. The uploader only
 * records an upload in its ledger when this MD5 equals the one it sent.
 */
public record StoredObject(String remotePath, String computedMd5Base64, long bytes) {
  public StoredObject {
    Objects.requireNonNull(remotePath, "remotePath");
    Objects.requireNonNull(computedMd5Base64, "computedMd5Base64");
    if (remotePath.isEmpty()) {
      throw new IllegalArgumentException("remotePath must not be empty");
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
  }
}
