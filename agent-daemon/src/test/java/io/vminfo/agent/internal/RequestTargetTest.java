package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestTargetTest {
  @Test
  void splitsBeforeDecodingAndDecodesStrictly() throws Exception {
    RequestTarget t = RequestTarget.parse("/vms/web%2001?fields=a,b&state=running+now&x");
    assertThat(t.segments()).containsExactly("vms", "web 01");
    assertThat(t.list("fields")).containsExactly("a", "b");
    assertThat(t.single("state")).contains("running now");
    assertThat(t.params().get("x")).containsExactly("");
    assertThat(RequestTarget.parse("/vms/").segments()).containsExactly("vms");
    assertThat(RequestTarget.parse("/").segments()).isEmpty();
    assertThat(RequestTarget.parse("/vms/a+b").segments()).containsExactly("vms", "a+b");
    assertThat(RequestTarget.parse("/vms/%C3%A9t%C3%A9").segments())
        .containsExactly("vms", "\u00e9t\u00e9");
  }

  @Test
  void refusesTraversalAndOddEncodings() {
    for (String bad :
        List.of(
            "/vms/..",
            "/vms/%2E%2E",
            "/a/./b",
            "/vms/a%2Fb",
            "/vms/a%5cb",
            "/vms/%",
            "/vms/%4",
            "/vms/%g0",
            "/vms/%c3",
            "//x",
            "vms",
            "*",
            "/vms/%7F")) {
      assertThatThrownBy(() -> RequestTarget.parse(bad)).as(bad).isInstanceOf(ApiError.class);
    }
  }

  @Test
  void checksParameters() throws Exception {
    RequestTarget t = RequestTarget.parse("/events?since=5&since=6&heartbeat=-1&n=abc");
    assertThatThrownBy(() -> t.single("since")).hasMessageContaining("more than once");
    assertThatThrownBy(() -> t.number("heartbeat", 10)).hasMessageContaining("between 0 and 10");
    assertThatThrownBy(() -> t.number("n", 10)).hasMessageContaining("non-negative integer");
    assertThatThrownBy(() -> t.allowOnly(Set.of("since")))
        .hasMessageContaining("unknown query parameter \"heartbeat\"");
    assertThat(RequestTarget.parse("/x?n=7").number("n", 10)).hasValue(7);
    assertThatThrownBy(() -> RequestTarget.parse("/x?n=11").number("n", 10))
        .hasMessageContaining("between 0 and 10");
  }
}
