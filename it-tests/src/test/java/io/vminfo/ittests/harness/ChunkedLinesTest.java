package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.ittests.internal.ChunkedLines;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChunkedLinesTest {
  static ChunkedLines of(String raw) {
    return new ChunkedLines(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)), 1024);
  }

  static List<String> all(ChunkedLines c) throws IOException {
    List<String> out = new ArrayList<>();
    Optional<String> l;
    while ((l = c.nextLine()).isPresent()) {
      out.add(l.get());
    }
    return out;
  }

  @Test
  void linesSpanChunksAndTheLastChunkIsSeen() throws Exception {
    ChunkedLines c =
        of(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n"
                + "5\r\n{\"a\":\r\n4;ext=1\r\n1}\n{\r\n3\r\n\"b\"\r\n3\r\n:2}\r\n2\r\n\nx\r\n0\r\n\r\n");
    assertThat(c.readHead()).isEqualTo(200);
    assertThat(c.header("x-a")).contains("b");
    assertThat(all(c)).containsExactly("{\"a\":1}", "{\"b\":2}", "x");
    assertThat(c.sawLastChunk()).isTrue();
  }

  @Test
  void aStreamCutMidChunkHasNoLastChunk() throws Exception {
    ChunkedLines c = of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc\n");
    c.readHead();
    assertThat(all(c)).containsExactly("abc");
    assertThat(c.sawLastChunk()).isFalse();
  }

  @ParameterizedTest(name = "cut {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // where the stream is cut | chunked body after the head (\\r, \\n escaped, as CSV trims
        // real ones) | bytes of the half line
        "in a chunk|20\\r\\n{\"a\":1}\\n{\"b\":|5",
        "between chunks|a\\r\\n{\"a\":1}\\n{\"\\r\\n|2"
      })
  void aStreamCutInTheMiddleOfALineEndsBeforeIt(String where, String body, int halfLine)
      throws Exception {
    ChunkedLines c =
        of(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + body.replace("\\r\\n", "\r\n").replace("\\n", "\n"));
    c.readHead();
    assertThat(all(c)).containsExactly("{\"a\":1}");
    assertThat(c.cutLineBytes()).isEqualTo(halfLine);
    assertThat(c.sawLastChunk()).isFalse();
  }

  @Test
  void aPlainBodyIsReadToTheEnd() throws Exception {
    ChunkedLines c = of("HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\n\r\n{\"x\":1}\nz");
    assertThat(c.readHead()).isEqualTo(404);
    assertThat(all(c)).containsExactly("{\"x\":1}", "z");
  }

  @Test
  void refusesWhatIsNoHttpAndOverlongLines() throws Exception {
    assertThatThrownBy(() -> of("SSH-2.0-OpenSSH\r\n\r\n").readHead())
        .hasMessageContaining("not an HTTP");
    ChunkedLines c = of("HTTP/1.1 200 OK\r\n\r\n" + "y".repeat(2000) + "\n");
    c.readHead();
    assertThatThrownBy(c::nextLine).hasMessageContaining("longer than 1024");
  }
}
