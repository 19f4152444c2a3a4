package io.vminfo.manta.emulator.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** Metadata of one stored directory or object. Objects have an etag, size, MD5 and content type. */
public record Entry(
    String name,
    boolean directory,
    Instant mtime,
    String etag,
    long size,
    String contentMd5,
    String contentType,
    int durability,
    Map<String, String> headers) {

  public Entry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mtime, "mtime");
    headers = Map.copyOf(headers);
  }

  static Entry directory(String name, Instant mtime, Map<String, String> headers) {
    return new Entry(
        name, true, mtime, "", 0, "", "application/x-json-stream; type=directory", 0, headers);
  }

  Entry renamed(String newName) {
    return new Entry(
        newName, directory, mtime, etag, size, contentMd5, contentType, durability, headers);
  }
}
