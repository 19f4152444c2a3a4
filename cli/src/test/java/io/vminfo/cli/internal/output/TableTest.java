package io.vminfo.cli.internal.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void alignedColumnsNeverTruncated() {
    Table t = new Table(List.of("UUID", "ALIAS"));
    t.add(List.of("a", "x".repeat(300)));
    t.add(List.of("bbbbbb", "ü-ümlaut"));
    assertThat(t.render(Table.Style.ALIGNED, true))
        .containsExactly("UUID    ALIAS", "a       " + "x".repeat(300), "bbbbbb  ü-ümlaut");
    assertThat(t.render(Table.Style.ALIGNED, false)).hasSize(2);
  }

  @Test
  void parsableEscapesSeparatorAndBackslash() {
    Table t = new Table(List.of("A", "B"));
    t.add(List.of("x:y", "c:\\d"));
    assertThat(t.render(Table.Style.PARSABLE, true)).containsExactly("x\\:y:c\\:\\\\d");
  }

  @Test
  void rowsMustFit() {
    Table t = new Table(List.of("A"));
    assertThatThrownBy(() -> t.add(List.of("1", "2"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Table(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cellsEscapeControlCharacters() throws Exception {
    assertThat(Cells.escape("evil\u001b[2J\nalias\t\u0085"))
        .isEqualTo("evil\\u001b[2J\\nalias\\t\\u0085");
    assertThat(Cells.of(null)).isEqualTo("-");
    assertThat(Cells.of(CliJson.NODES.nullNode())).isEqualTo("-");
    assertThat(Cells.of(CliJson.parse("{\"a\":[1,2]}".getBytes()))).isEqualTo("{\"a\":[1,2]}");
    assertThat(Cells.of(CliJson.NODES.numberNode(2.0))).isEqualTo("2");
  }
}
