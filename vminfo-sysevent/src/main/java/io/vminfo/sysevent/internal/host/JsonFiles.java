package io.vminfo.sysevent.internal.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.json.HardenedJson;
import java.io.IOException;

/** Parses host JSON files (zone config, sysinfo) with nesting and length limits. */
public final class JsonFiles {
  /**
   * Node factory; it keeps a BigDecimal as given (no trailing-zero stripping) since Jackson 2.15.
   */
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** vmadm writes these with JavaScript: numbers kept as written, a repeated key's last wins. */
  private static final ObjectMapper MAPPER =
      HardenedJson.UNTRUSTED.keepingDecimalsAsWritten().lastDuplicateKeyWins().mapper();

  private JsonFiles() {}

  /** An integral JSON number as Jackson's parser would make it (int when it fits, else long). */
  public static com.fasterxml.jackson.databind.node.NumericNode number(long v) {
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE
        ? NODES.numberNode((int) v)
        : NODES.numberNode(v);
  }

  /** Parses a JSON object; {@code what} names the file in errors. */
  public static ObjectNode parseObject(byte[] json, String what) throws HostFileException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      String msg =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
              ? jpe.getOriginalMessage()
              : e.getMessage();
      throw new HostFileException("PARSE_ERROR", what + ": malformed JSON: " + msg, e);
    }
    if (tree == null || tree.isMissingNode()) {
      throw new HostFileException("PARSE_ERROR", what + ": empty file");
    }
    if (!tree.isObject()) {
      throw new HostFileException(
          "PARSE_ERROR", what + ": expected a JSON object, got " + tree.getNodeType());
    }
    return (ObjectNode) tree;
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
