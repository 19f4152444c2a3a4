package io.vminfo.cli.internal.vms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.testing.Vms;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldsTest {
  static final JsonNode WEB = Vms.web().toJson();
  static final JsonNode DB = Vms.db().toJson();
  static final JsonNode KVM = Vms.kvm().toJson();

  @Test
  void nestedAndComputedFields() {
    assertThat(Field.of("nics.0.mac").get(WEB).asText()).isEqualTo("90:b8:d0:00:00:01");
    assertThat(Field.of("nics.5.mac").get(WEB).isMissingNode()).isTrue();
    assertThat(Field.of("tags.role").get(DB).asText()).isEqualTo("db");
    assertThat(Field.of("type").get(KVM).asText()).isEqualTo("KVM");
    assertThat(Field.of("type").get(DB).asText()).isEqualTo("LX");
    assertThat(Field.of("ram").get(WEB).asInt()).isEqualTo(1024);
    assertThat(Field.of("alias").header()).isEqualTo("ALIAS");
    for (String bad : new String[] {"", "a..b", "a.", ".a", "a b", "a,b"}) {
      assertThatThrownBy(() -> Field.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void filters() {
    assertThat(VmFilter.parse("state=running").matches(WEB)).isTrue();
    assertThat(VmFilter.parse("state=running").matches(DB)).isFalse();
    assertThat(VmFilter.parse("max_physical_memory=4096").matches(DB)).isTrue();
    assertThat(VmFilter.parse("alias=~^d").matches(DB)).isTrue();
    assertThat(VmFilter.parse("zoneid=").matches(DB)).isTrue();
    assertThat(VmFilter.parse("zoneid=").matches(WEB)).isFalse();
    assertThat(VmFilter.parse("nope=~.").matches(WEB)).isFalse();
    assertThat(VmFilter.parse("state=running").serverSide("state")).contains("running");
    assertThat(VmFilter.parse("state=~run").serverSide("state")).isEmpty();
    assertThat(VmFilter.parse("a=b=c").toString()).isEqualTo("a=b=c");
  }

  @Test
  void sortsNumbersAsNumbersMissingLast() {
    List<JsonNode> vms = new ArrayList<>(List.of(WEB, DB, KVM));
    vms.sort(SortKey.comparator(SortKey.list("-ram")));
    assertThat(vms).containsExactly(DB, KVM, WEB);
    vms.sort(SortKey.comparator(SortKey.list("vcpus,alias")));
    assertThat(vms).containsExactly(KVM, DB, WEB);
    vms.sort(SortKey.comparator(SortKey.list("-vcpus,+alias")));
    assertThat(vms).containsExactly(KVM, DB, WEB);
  }
}
