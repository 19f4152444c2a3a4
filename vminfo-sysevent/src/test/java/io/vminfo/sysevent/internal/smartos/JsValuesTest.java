package io.vminfo.sysevent.internal.smartos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link JsNumber} and {@link NodeBase64} against what Node 20 printed for the same inputs ({@code
 * Number(s)}, {@code JSON.stringify}, {@code new Buffer(s, 'base64').toString()}).
 */
class JsValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "Number(\"{0}\") is {1} in JSON")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "''|0",
        "' 12 '|12",
        "0x1F|31",
        "1e3|1000",
        "abc|null",
        "-0|0",
        "1_0|null",
        "0b11|3",
        ".5|0.5",
        "5.|5",
        "+5|5",
        "Infinity|null",
        "-0x10|null",
        "1d|null",
        "0o17|15",
        "1.5e-3|0.0015",
        "'\u00a012\n'|12",
        "9007199254740993|9007199254740992"
      })
  void numbersAreJavaScriptsNumber(String text, String json) throws Exception {
    assertThat(JsNumber.json(text)).isEqualTo(JSON.readTree(json));
  }

  @Test
  void aHugeNumberIsADecimalAndNotANumberIsNull() {
    assertThat(JsNumber.json("123456789012345678901").doubleValue())
        .isEqualTo(1.2345678901234568E20);
    assertThat(JsNumber.parse("NaN")).isNaN(); // JavaScript's Number("NaN") is NaN too
  }

  @ParameterizedTest(name = "base64 \"{0}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "aGVsbG8=|hello",
        "aGVs bG8=|hello",
        "aGVsbG8|hello",
        "aGV$sbG8=|hello",
        "aGVsbG8=d29ybGQ=|hello",
        "a|''",
        "ab|i",
        "''|''",
        "Zm9vYmFy===x|foobar",
        "w6k=|é",
        "/w==|\ufffd",
        "aGVsbG8-_w==|hello>\ufffd"
      })
  void base64IsDecodedAsNodeDoes(String text, String decoded) {
    assertThat(NodeBase64.decode(text)).isEqualTo(decoded);
  }
}
