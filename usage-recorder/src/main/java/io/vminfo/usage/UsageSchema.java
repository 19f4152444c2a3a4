package io.vminfo.usage;

import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JSON Schema of usage records v1 ({@code docs/usage-schema.json}, copied onto the classpath by
 * the build so there is one source of truth), for tools that validate usage files.
 */
public final class UsageSchema {
  /** Classpath location of the schema. */
  public static final String RESOURCE = "/io/vminfo/usage/usage-schema.json";

  /** The record format version this code writes ({@code "v":1}). */
  public static final int VERSION = 1;

  private UsageSchema() {}

  /** Opens the schema; the caller closes the stream. */
  public static InputStream open() {
    InputStream in = UsageSchema.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new UncheckedIOException(
          new java.io.FileNotFoundException(
              "usage schema missing from the classpath at " + RESOURCE));
    }
    return in;
  }
}
