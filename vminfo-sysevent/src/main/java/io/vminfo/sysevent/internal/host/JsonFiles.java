package io.vminfo.sysevent.internal.host;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** Parses host JSON files (zone config, sysinfo) with nesting and length limits. */
public final class JsonFiles {
  /** Node factory; it keeps a BigDecimal as given (no trailing-zero stripping) since Jackson 2.15. */
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(64).maxStringLength(8 * 1024 * 1024).maxNumberLength(64).build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .nodeFactory(NODES)
      // numbers in host files are kept as written, as the exact-decimals factory did before
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
      .build();

  private JsonFiles() {}

  /** An integral JSON number as Jackson's parser would make it (int when it fits, else long). */
  public static com.fasterxml.jackson.databind.node.NumericNode number(long v) {
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? NODES.numberNode((int) v)
        : NODES.numberNode(v);
  }

  /** Parses a JSON object; {@code what} names the file in errors. */
  public static ObjectNode parseObject(byte[] json, String what) throws HostFileException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
          ? jpe.getOriginalMessage() : e.getMessage();
      throw new HostFileException("PARSE_ERROR", what + ": malformed JSON: " + msg, e);
    }
    if (tree == null || tree.isMissingNode()) {
      throw new HostFileException("PARSE_ERROR", what + ": empty file");
    }
    if (!tree.isObject()) {
      throw new HostFileException("PARSE_ERROR", what + ": expected a JSON object, got "
          + tree.getNodeType());
    }
    return (ObjectNode) tree;
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
