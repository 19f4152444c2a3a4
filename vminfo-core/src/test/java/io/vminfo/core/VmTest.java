package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.TestVms;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VmTest {
  @Test
  void theInputTreeIsCopiedAndNeverExposed() {
    ObjectNode source = TestVms.vm(1).toJson();
    Vm vm = Vm.of(source);
    source.put("alias", "changed outside");
    vm.toJson().put("alias", "changed copy");
    vm.get("nics").ifPresent(n -> ((com.fasterxml.jackson.databind.node.ArrayNode) n).removeAll());
    assertThat(vm.alias()).contains("vm1");
    assertThat(vm.nics()).hasSize(1);
  }

  @Test
  void theHeldTreeRefusesWrites() {
    Vm vm = TestVms.vm(1);
    assertThatThrownBy(() -> vm.tree().put("alias", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(
            () ->
                ((com.fasterxml.jackson.databind.node.ArrayNode) vm.tree().get("nics")).removeAll())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(vm.alias()).contains("vm1");
    ObjectNode copy = vm.toJson();
    copy.put("alias", "editable copy");
    ((com.fasterxml.jackson.databind.node.ArrayNode) copy.get("nics")).removeAll();
    assertThat(Vm.of(copy).nics()).isEmpty();
  }

  @Test
  void serializationIsComputedOnceAndStable() {
    Vm vm = TestVms.vm(2);
    byte[] first = vm.toBytes();
    first[0] = 'X';
    assertThat(vm.toBytes()[0]).isEqualTo((byte) '{');
    assertThat(new String(vm.toBytes(), StandardCharsets.UTF_8)).isEqualTo(vm.toString());
    assertThat(vm.bytesBuffer().isReadOnly()).isTrue();
    assertThat(vm.serializedSize()).isEqualTo(vm.toBytes().length);
  }

  @Test
  void typedAccessors() {
    Vm vm = TestVms.vm(3);
    assertThat(vm.uuid()).isEqualTo(TestVms.uuid(3));
    assertThat(vm.zonename()).contains(TestVms.uuid(3));
    assertThat(vm.brand()).contains("joyent");
    assertThat(vm.state()).contains("running");
    assertThat(vm.maxPhysicalMemory()).hasValue(1024);
    assertThat(vm.quota()).hasValue(25);
    assertThat(vm.zoneid()).hasValue(7);
    assertThat(vm.nics().get(0).interfaceName()).contains("net0");
    assertThat(vm.nics().get(0).primary()).isTrue();
    assertThat(vm.missingRequiredKeys()).isEmpty();
    assertThat(vm.with(o -> o.putNull("zoneid")).zoneid()).isEmpty();
    assertThat(vm.billingId()).isEmpty();
  }

  @Test
  void invalidObjectsAreRejectedWithAClearMessage() {
    assertThatThrownBy(() -> Vm.parse("{\"alias\":\"x\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uuid");
    assertThatThrownBy(() -> Vm.parse("{\"uuid\":\"not-a-uuid\"}"))
        .hasMessageContaining("not a UUID");
    assertThatThrownBy(() -> Vm.parse("[1]")).hasMessageContaining("object");
    assertThatThrownBy(() -> Vm.parse("{\"uuid\":")).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> Vm.parse("{\"uuid\":\"" + TestVms.uuid(1) + "\",\"nics\":5}"))
        .hasMessageContaining("nics");
    assertThatThrownBy(() -> Vm.parse("{\"uuid\":\"" + TestVms.uuid(1) + "\"} trailing"))
        .hasMessageContaining("not valid JSON");
    String deep = "[".repeat(2000) + "]".repeat(2000);
    assertThatThrownBy(() -> Vm.parse("{\"uuid\":\"" + TestVms.uuid(1) + "\",\"x\":" + deep + "}"))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void uppercaseUuidsAreNormalized() {
    Vm vm = Vm.parse("{\"uuid\":\"" + TestVms.uuid(1).toUpperCase() + "\"}");
    assertThat(vm.uuid()).isEqualTo(TestVms.uuid(1));
    assertThat(vm.text("uuid")).contains(TestVms.uuid(1));
  }

  @Test
  void equalityIsByContent() {
    assertThat(TestVms.vm(4)).isEqualTo(TestVms.vm(4)).hasSameHashCodeAs(TestVms.vm(4));
    assertThat(TestVms.vm(4)).isNotEqualTo(TestVms.vm(5));
    assertThat(Vm.Builder.create(TestVms.uuid(9)).put("brand", "kvm").build().brand())
        .contains("kvm");
    assertThat(Json.string(TestVms.vm(4).toJson())).isEqualTo(TestVms.vm(4).toString());
  }
}
