package io.vminfo.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class HardenedJsonTest {
  @Test
  void theLimitsAndRulesHoldAndEachUseChangesOnlyWhatItSays() throws Exception {
    ObjectMapper strict =
        HardenedJson.UNTRUSTED
            .withMaxNesting(3)
            .withMaxStringLength(8)
            .withMaxNumberLength(4)
            .mapper();
    assertThat(strict.readTree("{\"a\":[1]}").path("a").get(0).asInt()).isEqualTo(1);
    assertThatThrownBy(() -> strict.readTree("[[[[1]]]]"))
        .isInstanceOf(JacksonException.class)
        .hasMessageContaining("nesting depth");
    assertThatThrownBy(() -> strict.readTree("\"123456789\""))
        .isInstanceOf(JacksonException.class)
        .hasMessageContaining("String value length");
    assertThatThrownBy(() -> strict.readTree("123456"))
        .isInstanceOf(JacksonException.class)
        .hasMessageContaining("Number value length");
    assertThatThrownBy(() -> strict.readTree("{\"a\":1} x")).isInstanceOf(JacksonException.class);
    assertThatThrownBy(() -> strict.readTree("{\"a\":1,\"a\":2}"))
        .isInstanceOf(JacksonException.class)
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> strict.readTree("// c\n{}")).isInstanceOf(JacksonException.class);

    ObjectMapper js =
        HardenedJson.UNTRUSTED
            .lastDuplicateKeyWins()
            .keepingDecimalsAsWritten()
            .withComments()
            .mapper();
    assertThat(js.readTree("{\"a\":1,\"a\":2}").path("a").asInt()).isEqualTo(2);
    assertThat(js.readTree("/* c */ {\"x\": 1}").path("x").asInt()).isEqualTo(1);
    // read as BigDecimal (as vmadm numbers are passed on): the trailing zero stays
    assertThat(
            js.reader()
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .readTree("{\"x\": 1.50}")
                .path("x")
                .toString())
        .isEqualTo("1.50");
    assertThatThrownBy(() -> js.readTree("[" + "[".repeat(64) + "]".repeat(64) + "]"))
        .hasMessageContaining("nesting depth");
    assertThatThrownBy(() -> HardenedJson.UNTRUSTED.withMaxNesting(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
