package io.vminfo.cli.internal.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** JSON as JavaScript's JSON.stringify writes it (the expected strings are Node's output). */
class JsonTextTest {
  static JsonNode parse(String s) throws Exception {
    return CliJson.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void prettyLikeStringifyWithTwoSpaces() throws Exception {
    JsonNode n = parse("{\"a\":1,\"b\":[1,{\"c\":null}],\"e\":[],\"o\":{},\"s\":\"x\"}");
    assertThat(JsonText.pretty(n))
        .isEqualTo(
            "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    {\n"
                + "      \"c\": null\n    }\n  ],\n  \"e\": [],\n  \"o\": {},\n  \"s\": \"x\"\n}");
    assertThat(JsonText.compact(n))
        .isEqualTo("{\"a\":1,\"b\":[1,{\"c\":null}],\"e\":[],\"o\":{},\"s\":\"x\"}");
  }

  @Test
  void numbersAsJavaScriptPrintsThem() throws Exception {
    // node -e 'console.log(JSON.stringify([30.0, 0.1, 1e21, 1.5e-7, 0.000001, -2.50, 1e300,
    //   12345678901234567890, 123456789012]))'
    assertThat(JsonText.compact(parse("[30.0,0.1,1e21,1.5e-7,0.000001,-2.50,1e300,123456789012]")))
        .isEqualTo("[30,0.1,1e+21,1.5e-7,0.000001,-2.5,1e+300,123456789012]");
    assertThat(JsonText.compact(CliJson.NODES.numberNode(new BigDecimal("100.000"))))
        .isEqualTo("100");
    assertThat(JsonText.compact(CliJson.NODES.numberNode(Double.NaN))).isEqualTo("null");
    assertThat(JsonText.compact(parse("-0.0"))).isEqualTo("0");
  }

  @Test
  void stringsEscapeOnlyWhatStringifyEscapes() {
    // JSON.stringify("q\"b\\\n\t\u0001\u001bé€😀\u2028")
    assertThat(JsonText.quote("q\"b\\\n\t\u0001\u001bé€😀\u2028"))
        .isEqualTo("\"q\\\"b\\\\\\n\\t\\u0001\\u001bé€😀\u2028\"");
    assertThat(JsonText.quote("lone \ud800 high")).isEqualTo("\"lone \\ud800 high\"");
    assertThat(JsonText.quote("lone \udc00 low")).isEqualTo("\"lone \\udc00 low\"");
  }
}
