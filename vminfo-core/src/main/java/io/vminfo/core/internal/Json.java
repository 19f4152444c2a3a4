package io.vminfo.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vminfo.core.json.HardenedJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one Jackson configuration vminfo-core reads and writes JSON with.
 *
 * <p>Input from hosts and the network is untrusted, so the parser has explicit size limits
 * (nesting, string and number lengths) and rejects trailing garbage and duplicate keys.
 */
public final class Json {
  /** Deepest nesting accepted in any document (a VM object is about 5 deep). */
  public static final int MAX_NESTING = HardenedJson.UNTRUSTED.maxNesting();

  /** Longest string value accepted (customer metadata values can be large, but not this large). */
  public static final int MAX_STRING_LENGTH = HardenedJson.UNTRUSTED.maxStringLength();

  /** Shared mapper; thread-safe once configured. Never reconfigure it. */
  public static final ObjectMapper MAPPER = HardenedJson.UNTRUSTED.mapper();

  /**
   * Node factory; it keeps a BigDecimal as given (no trailing-zero stripping) since Jackson 2.15.
   */
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  /** Compact UTF-8 serialization of a tree, keys in insertion order. */
  public static byte[] bytes(JsonNode node) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      try (JsonGenerator gen = MAPPER.getFactory().createGenerator(out)) {
        MAPPER.writeTree(gen, node);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("serializing a JSON tree cannot fail", e);
    }
  }

  /** A short description of a parse failure, without the (possibly huge) input echoed back. */
  public static String describe(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
      String where =
          jpe.getLocation() == null
              ? ""
              : " at line "
                  + jpe.getLocation().getLineNr()
                  + " column "
                  + jpe.getLocation().getColumnNr();
      return jpe.getOriginalMessage() + where;
    }
    return String.valueOf(e.getMessage());
  }

  /** Compact serialization as a String. */
  public static String string(JsonNode node) {
    return new String(bytes(node), java.nio.charset.StandardCharsets.UTF_8);
  }
}
