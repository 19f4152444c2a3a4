package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.FeedCodec;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The streamed ready line is byte for byte the codec's. */
class ReadyLinesTest {
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00.123Z");

  @Test
  void piecesConcatenateToTheCodecsReadyLine() throws Exception {
    Vm plain = Vm.parse("{\"uuid\":\"00000001-1111-4222-8333-000000000001\",\"alias\":\"a\"}");
    Vm tricky =
        Vm.parse(
            "{\"uuid\":\"00000002-1111-4222-8333-000000000002\","
                + "\"alias\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n u0001 \\u0001\","
                + "\"customer_metadata\":{\"note\":\"\u00e9t\u00e9 \u2603 \ud83d\ude00\"},"
                + "\"nics\":[{\"mac\":\"90:b8:d0:00:00:01\"}]}");
    ReadyLines lines = new ReadyLines();
    for (boolean resync : new boolean[] {false, true}) {
      for (List<Vm> vms : List.of(List.<Vm>of(), List.of(plain), List.of(plain, tricky))) {
        byte[] expected = FeedCodec.readyLine("listener-\"1\"", vms, 42, "epoch\\x", NOW, resync);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (byte[] piece : lines.pieces("listener-\"1\"", vms, 42, "epoch\\x", NOW, resync)) {
          got.write(piece);
        }
        assertThat(got.toByteArray()).isEqualTo(expected);
      }
    }
  }

  @Test
  void fragmentsAreSharedPerVmVersionAndDroppedOnDelete() {
    Vm v1 = Vm.parse("{\"uuid\":\"00000001-1111-4222-8333-000000000001\",\"q\":1}");
    ReadyLines lines = new ReadyLines();
    byte[] first = lines.pieces("l", List.of(v1), 1, "e", NOW, false).get(1);
    byte[] again = lines.pieces("m", List.of(v1), 1, "e", NOW, false).get(1);
    assertThat(again).isSameAs(first);
    Vm v2 = v1.with(o -> o.put("q", 2));
    assertThat(lines.pieces("l", List.of(v2), 2, "e", NOW, false).get(1)).isNotSameAs(first);
    assertThat(lines.cachedVms()).isEqualTo(1);
    lines.onEvent(VmEvent.delete(3, NOW, v1.uuid(), Optional.empty()));
    assertThat(lines.cachedVms()).isZero();
  }
}
