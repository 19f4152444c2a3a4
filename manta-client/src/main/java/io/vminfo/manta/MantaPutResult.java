package io.vminfo.manta;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a PUT: Manta's etag, the MD5 Manta computed over what it stored (base64, already
 * checked against what this client sent), the size sent and the new last-modified time.
 */
public record MantaPutResult(
    String path,
    String etag,
    String computedMd5,
    long size,
    Optional<Instant> lastModified,
    String requestId) {
  public MantaPutResult {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(etag, "etag");
    Objects.requireNonNull(computedMd5, "computedMd5");
    Objects.requireNonNull(lastModified, "lastModified");
    Objects.requireNonNull(requestId, "requestId");
  }
}
