package io.vminfo.manta;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** One line of a directory listing. */
public record MantaEntry(
    String name,
    boolean directory,
    long size,
    Optional<String> etag,
    Optional<String> contentType,
    Optional<String> contentMd5,
    Instant mtime,
    OptionalInt durability) {

  public MantaEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(etag, "etag");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(contentMd5, "contentMd5");
    Objects.requireNonNull(mtime, "mtime");
    Objects.requireNonNull(durability, "durability");
  }
}
