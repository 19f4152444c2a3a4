package io.vminfo.manta;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What HEAD (or a GET's headers) says about an object or directory. {@code size} is the object
 * size, or for a directory its number of entries.
 */
public record MantaObjectInfo(
    String path,
    boolean directory,
    long size,
    Optional<String> etag,
    String contentType,
    Optional<String> contentMd5,
    Optional<Instant> lastModified,
    OptionalInt durability,
    Map<String, String> metadata,
    String requestId) {

  public MantaObjectInfo {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(etag, "etag");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(contentMd5, "contentMd5");
    Objects.requireNonNull(lastModified, "lastModified");
    Objects.requireNonNull(durability, "durability");
    metadata = Map.copyOf(metadata);
    Objects.requireNonNull(requestId, "requestId");
  }
}
