package io.vminfo.cli.internal.waiting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.cli.testing.Vms;
import io.vminfo.core.Vm;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConditionTest {
  static final Optional<Vm> WEB = Optional.of(Vms.web());

  @Test
  void valuesAtPaths() {
    assertThat(Condition.ValueAt.parse("quota=25").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("quota=25.0").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("quota=\"25\"").holds(WEB)).isFalse();
    assertThat(Condition.ValueAt.parse("alias=web-1").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("firewall_enabled=false").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("nics.*.mac=90:b8:d0:00:00:01").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("nics.0.ip=10.0.0.1").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("nics.1.ip=10.0.0.1").holds(WEB)).isFalse();
    assertThat(Condition.ValueAt.parse("tags.role=web").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("resolvers=[\"8.8.8.8\"]").holds(WEB)).isTrue();
    assertThat(Condition.ValueAt.parse("zoneid=null").holds(Optional.of(Vms.db()))).isTrue();
    assertThat(Condition.ValueAt.parse("quota=25").holds(Optional.empty())).isFalse();
  }

  @Test
  void describesWhatIsThereInstead() {
    Condition c = Condition.ValueAt.parse("nics.*.ip=10.9.9.9");
    assertThat(c.describe()).isEqualTo("nics.*.ip=10.9.9.9");
    assertThat(c.actual(WEB)).isEqualTo("nics.*.ip is \"10.0.0.1\"");
    assertThat(Condition.ValueAt.parse("x.y=1").actual(WEB)).isEqualTo("x.y not set");
    assertThat(new Condition.State("running").actual(Optional.of(Vms.db())))
        .isEqualTo("state is \"stopped\"");
    assertThat(new Condition.Deleted().actual(WEB)).isEqualTo("still exists (state running)");
  }

  @Test
  void badPaths() {
    assertThatThrownBy(() -> Condition.ValueAt.parse("=1")).hasMessageContaining("PATH=VALUE");
    assertThatThrownBy(() -> Condition.ValueAt.parse("a..b=1"))
        .hasMessageContaining("empty segment");
  }
}
