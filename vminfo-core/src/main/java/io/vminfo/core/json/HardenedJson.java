package io.vminfo.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The one way vminfo builds a Jackson mapper for input it does not control (host files, tool
 * output, the network, the ledger, config files): explicit nesting, string and number limits,
 * trailing tokens and duplicate keys refused. Each use states only its limits; the rules are the
 * same everywhere.
 *
 * @param maxNesting deepest nesting accepted
 * @param maxStringLength longest string value accepted, in chars
 * @param maxNumberLength longest number accepted, in digits
 * @param rejectDuplicateKeys a key twice in one object is an error (off only where the writer is
 *     JavaScript, whose JSON.parse keeps the last: host files vmadm wrote)
 * @param allowComments Java/C comments (config files only)
 * @param keepDecimalsAsWritten BigDecimal values keep their trailing zeros (host files, whose
 *     numbers are passed on as written)
 */
public record HardenedJson(
    int maxNesting,
    int maxStringLength,
    int maxNumberLength,
    boolean rejectDuplicateKeys,
    boolean allowComments,
    boolean keepDecimalsAsWritten) {

  /** Host files, tool output and the network: a VM object is ~5 deep, metadata can be large. */
  public static final HardenedJson UNTRUSTED =
      new HardenedJson(64, 8 * 1024 * 1024, 64, true, false, false);

  public HardenedJson {
    if (maxNesting < 1 || maxStringLength < 1 || maxNumberLength < 1) {
      throw new IllegalArgumentException(
          "limits must be positive: nesting "
              + maxNesting
              + ", string "
              + maxStringLength
              + ", number "
              + maxNumberLength);
    }
  }

  public HardenedJson withMaxNesting(int n) {
    return new HardenedJson(
        n,
        maxStringLength,
        maxNumberLength,
        rejectDuplicateKeys,
        allowComments,
        keepDecimalsAsWritten);
  }

  public HardenedJson withMaxStringLength(int n) {
    return new HardenedJson(
        maxNesting, n, maxNumberLength, rejectDuplicateKeys, allowComments, keepDecimalsAsWritten);
  }

  public HardenedJson withMaxNumberLength(int n) {
    return new HardenedJson(
        maxNesting, maxStringLength, n, rejectDuplicateKeys, allowComments, keepDecimalsAsWritten);
  }

  /** Duplicate keys allowed, the last one kept, as JavaScript's JSON.parse does. */
  public HardenedJson lastDuplicateKeyWins() {
    return new HardenedJson(
        maxNesting, maxStringLength, maxNumberLength, false, allowComments, keepDecimalsAsWritten);
  }

  public HardenedJson withComments() {
    return new HardenedJson(
        maxNesting,
        maxStringLength,
        maxNumberLength,
        rejectDuplicateKeys,
        true,
        keepDecimalsAsWritten);
  }

  public HardenedJson keepingDecimalsAsWritten() {
    return new HardenedJson(
        maxNesting, maxStringLength, maxNumberLength, rejectDuplicateKeys, allowComments, true);
  }

  /** A new mapper with these limits; thread-safe once built, never to be reconfigured. */
  public ObjectMapper mapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxNesting)
                    .maxStringLength(maxStringLength)
                    .maxNumberLength(maxNumberLength)
                    .build())
            .build();
    JsonMapper.Builder b =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .configure(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, rejectDuplicateKeys)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .nodeFactory(JsonNodeFactory.instance);
    if (allowComments) {
      b.enable(JsonReadFeature.ALLOW_JAVA_COMMENTS);
    }
    if (keepDecimalsAsWritten) {
      b.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    }
    return b.build();
  }
}
