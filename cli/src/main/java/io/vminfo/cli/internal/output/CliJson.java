package io.vminfo.cli.internal.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vminfo.core.json.HardenedJson;
import java.io.IOException;

/**
 * The CLI's JSON reader: files and answers it reads are untrusted, so nesting, string and number
 * lengths are bounded and trailing garbage is an error.
 */
public final class CliJson {
  /** Nesting accepted from the agent and other peers. */
  public static final int MAX_DEPTH = 256;

  /**
   * Nesting accepted in documents the user hands to {@code vminfo diff}: diff.js on Node 20 walks
   * documents nested thousands deep (Node recurses about 13,900 frames), so a local diff must not
   * refuse them at 256. The diff runs on a thread with a stack sized for this depth.
   */
  public static final int MAX_LOCAL_DOCUMENT_DEPTH = 10_000;

  /** Thread-safe once built; never reconfigured. */
  public static final ObjectMapper MAPPER = mapper(MAX_DEPTH);

  private static final ObjectMapper LOCAL_DOCUMENTS = mapper(MAX_LOCAL_DOCUMENT_DEPTH);

  /**
   * Documents the user gives (diff's files) as JSON.parse reads them: a repeated key's last wins.
   */
  private static ObjectMapper mapper(int maxDepth) {
    return HardenedJson.UNTRUSTED
        .withMaxNesting(maxDepth)
        .withMaxStringLength(64 * 1024 * 1024)
        .withMaxNumberLength(1000)
        .lastDuplicateKeyWins()
        .mapper();
  }

  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private CliJson() {}

  /** Parses one JSON document; the message of a failure names line and column. */
  public static JsonNode parse(byte[] utf8) throws JsonProcessingException {
    return parse(MAPPER, utf8);
  }

  /** As {@link #parse(byte[])}, nested up to {@link #MAX_LOCAL_DOCUMENT_DEPTH}. */
  public static JsonNode parseLocalDocument(byte[] utf8) throws JsonProcessingException {
    return parse(LOCAL_DOCUMENTS, utf8);
  }

  private static JsonNode parse(ObjectMapper mapper, byte[] utf8) throws JsonProcessingException {
    try {
      JsonNode node = mapper.readTree(utf8);
      if (node == null || node.isMissingNode()) {
        throw new JsonProcessingException("no JSON value (empty input)") {
          private static final long serialVersionUID = 1L;
        };
      }
      return node;
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("reading from memory cannot fail", e);
    }
  }

  /** A short description of a parse failure, without echoing the (possibly huge) input. */
  public static String describe(JsonProcessingException e) {
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    return e.getOriginalMessage() + where;
  }
}
