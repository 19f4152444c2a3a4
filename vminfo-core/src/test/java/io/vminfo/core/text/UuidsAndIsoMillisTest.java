package io.vminfo.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UuidsAndIsoMillisTest {
  static final String U = "5595d88c-6e4d-4bda-b58e-97dd02e32bec";

  @Test
  void uuidsInEitherCaseAreUuidsAndAreKeptInLowerCase() {
    assertThat(Uuids.isUuid(U)).isTrue();
    assertThat(Uuids.isUuid(U.toUpperCase())).isTrue();
    assertThat(Uuids.isLowerCaseUuid(U)).isTrue();
    assertThat(Uuids.isLowerCaseUuid(U.toUpperCase())).isFalse();
    assertThat(Uuids.requireUuid(U.toUpperCase(), "VM uuid")).isEqualTo(U);
    for (String bad :
        new String[] {
          null, "", "web01", U + "0", U.replace("-", ""), U.substring(1) + "g", " " + U
        }) {
      assertThat(Uuids.isUuid(bad)).as(String.valueOf(bad)).isFalse();
    }
    assertThatThrownBy(() -> Uuids.requireUuid("web01", "server uuid"))
        .hasMessage("server uuid must be a UUID, got: web01");
  }

  @Test
  void theFastFormatAgreesWithTheJdksEverywhere() {
    DateTimeFormatter jdk =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    Random r = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      Instant t =
          Instant.ofEpochSecond(
              (long) (r.nextDouble() * 253_402_300_799L), r.nextInt(1_000_000_000));
      assertThat(IsoMillis.format(t)).isEqualTo(jdk.format(t.truncatedTo(ChronoUnit.MILLIS)));
    }
    assertThat(IsoMillis.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(IsoMillis.format(Instant.parse("2026-11-22T10:01:00.999999Z")))
        .isEqualTo("2026-11-22T10:01:00.999Z");
    assertThat(IsoMillis.format(Instant.parse("1969-12-31T23:59:59.5Z")))
        .isEqualTo("1969-12-31T23:59:59.500Z");
    assertThat(IsoMillis.format(Instant.parse("+10000-01-01T00:00:00Z")))
        .isEqualTo("+10000-01-01T00:00:00.000Z");
  }

  @Test
  void parsingTakesZOrAnOffsetAndSaysWhenItIsNoInstant() {
    assertThat(IsoMillis.parse("2026-12-07T10:00:00.000Z"))
        .isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
    assertThat(IsoMillis.parse("2026-12-07T11:00:00+01:00"))
        .isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
    assertThatThrownBy(() -> IsoMillis.parse("yesterday"))
        .isInstanceOf(DateTimeParseException.class);
    assertThat(IsoMillis.tryParse("yesterday")).isEmpty();
    assertThat(IsoMillis.tryParse("2026-12-07T10:00:00Z")).isPresent();
  }
}
