package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RemotePathTemplateTest {
  private static final Instant HOUR = Instant.parse("2026-11-02T03:00:00Z");

  @Test
  void rendersTheDefaultLayoutWithSegmentsAndGz() {
    RemotePathTemplate t = RemotePathTemplate.defaultFor("acct");
    assertThat(t.render(HOUR, "srv-1", 0)).isEqualTo("/acct/stor/usage/2026/11/02/03/srv-1.log.gz");
    assertThat(t.render(HOUR.plusSeconds(1799), "srv-1", 0))
        .isEqualTo("/acct/stor/usage/2026/11/02/03/srv-1.log.gz");
    assertThat(t.render(HOUR, "srv-1", 2))
        .isEqualTo("/acct/stor/usage/2026/11/02/03/srv-1.2.log.gz");
  }

  @Test
  void customTemplates() {
    RemotePathTemplate t =
        RemotePathTemplate.of("/{login}/public/{server_uuid}/{yyyy}-{MM}-{dd}T{HH}.log", "a.b@c");
    assertThat(t.render(HOUR, "s", 1)).isEqualTo("/a.b@c/public/s/2026-11-02T03.1.log.gz");
    assertThat(
            RemotePathTemplate.of("/usage/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log", "x")
                .render(HOUR, "s", 0))
        .isEqualTo("/usage/2026/11/02/03/s.log.gz");
  }

  @Test
  void refusesTemplatesThatCouldCollideOrEscape() {
    assertThatThrownBy(
            () -> RemotePathTemplate.of("/{login}/stor/{yyyy}/{MM}/{dd}/{server_uuid}.log", "a"))
        .hasMessageContaining("{HH}");
    assertThatThrownBy(() -> RemotePathTemplate.of("/{login}/{yyyy}/{MM}/{dd}/{HH}/x.log", "a"))
        .hasMessageContaining("{server_uuid}");
    assertThatThrownBy(
            () -> RemotePathTemplate.of("{login}/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log", "a"))
        .hasMessageContaining("start with '/'");
    assertThatThrownBy(() -> RemotePathTemplate.of("/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.txt", "a"))
        .hasMessageContaining(".log");
    assertThatThrownBy(
            () -> RemotePathTemplate.of("/../{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log", "a"))
        .hasMessageContaining("'..'");
    assertThatThrownBy(
            () -> RemotePathTemplate.of("/a//{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log", "a"))
        .hasMessageContaining("empty");
    assertThatThrownBy(
            () -> RemotePathTemplate.of("/{user}/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log", "a"))
        .hasMessageContaining("unknown placeholder {user}");
    assertThatThrownBy(() -> RemotePathTemplate.of("/{yyyy/{MM}/{dd}/{HH}/{server_uuid}.log", "a"))
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> RemotePathTemplate.defaultFor("../etc")).hasMessageContaining("login");
    assertThatThrownBy(() -> RemotePathTemplate.defaultFor("a/b")).hasMessageContaining("login");
    assertThatThrownBy(() -> RemotePathTemplate.defaultFor("")).hasMessageContaining("login");
    RemotePathTemplate t = RemotePathTemplate.defaultFor("acct");
    assertThatThrownBy(() -> t.render(HOUR, "../x", 0)).hasMessageContaining("server uuid");
    assertThatThrownBy(() -> t.render(HOUR, "a.b", 0)).hasMessageContaining("server uuid");
    assertThatThrownBy(() -> t.render(HOUR, "s", -1)).hasMessageContaining("segment");
  }
}
