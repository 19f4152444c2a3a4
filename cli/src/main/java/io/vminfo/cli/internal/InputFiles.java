package io.vminfo.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads input files (or stdin for {@code -}) with a size bound, for commands that load JSON. */
public final class InputFiles {
  /** Largest JSON document read (a VM object is a few KiB; a host's VM list a few MiB). */
  public static final long MAX_JSON_BYTES = 64L * 1024 * 1024;

  private InputFiles() {}

  /** The bytes of {@code name} ({@code -} is stdin); fails clearly past {@code max}. */
  public static byte[] read(String name, InputStream stdin, long max) throws IOException {
    if (name.equals("-")) {
      return bounded(stdin, max, "stdin");
    }
    Path p = Path.of(name);
    if (Files.isDirectory(p)) {
      throw CliFailure.failed(name + " is a directory");
    }
    try (InputStream in = Files.newInputStream(p)) {
      return bounded(in, max, name);
    }
  }

  /** One JSON document from {@code name}; malformed JSON is a failure naming line and column. */
  public static JsonNode json(String name, InputStream stdin) throws IOException {
    return json(name, stdin, false);
  }

  /**
   * As {@link #json(String, InputStream)}, nested up to {@link CliJson#MAX_LOCAL_DOCUMENT_DEPTH}.
   */
  public static JsonNode localDocument(String name, InputStream stdin) throws IOException {
    return json(name, stdin, true);
  }

  private static JsonNode json(String name, InputStream stdin, boolean deep) throws IOException {
    byte[] bytes = read(name, stdin, MAX_JSON_BYTES);
    try {
      return deep ? CliJson.parseLocalDocument(bytes) : CliJson.parse(bytes);
    } catch (JsonProcessingException e) {
      throw CliFailure.failed(
          (name.equals("-") ? "stdin" : name) + " is not valid JSON: " + CliJson.describe(e));
    }
  }

  private static byte[] bounded(InputStream in, long max, String what) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (bytes.length > max) {
      throw CliFailure.failed(what + " is larger than " + (max / (1024 * 1024)) + " MiB");
    }
    return bytes;
  }
}
