package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The three date forms RFC 9110 5.6.7 makes recipients read, and what is not one of them. */
class HttpDatesTest {
  private static final Instant NOV_6_1994 = Instant.parse("1994-11-06T08:49:37Z");

  @Test
  void readsImfFixdate() {
    assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT")).contains(NOV_6_1994);
  }

  @Test
  void readsObsoleteRfc850WithTheTwoDigitYearInTheRightCentury() {
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", 2026)).contains(NOV_6_1994);
    // More than 50 years ahead means the past century; less means this one.
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", 2040)).contains(NOV_6_1994);
    assertThat(HttpDates.parse("Friday, 06-Nov-26 08:49:37 GMT", 2026))
        .contains(Instant.parse("2026-11-06T08:49:37Z"));
    assertThat(HttpDates.parse("Wednesday, 06-Nov-75 08:49:37 GMT", 2026))
        .contains(Instant.parse("2075-11-06T08:49:37Z"));
  }

  @Test
  void readsAsctimeWithASpacePaddedDay() {
    assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994")).contains(NOV_6_1994);
    assertThat(HttpDates.parse("Tue Dec 15 23:59:59 2026"))
        .contains(Instant.parse("2026-12-15T23:59:59Z"));
  }

  @Test
  void toleratesSurroundingWhitespace() {
    assertThat(HttpDates.parse("  Sun, 06 Nov 1994 08:49:37 GMT ")).contains(NOV_6_1994);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "yesterday",
        "120",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:61:37 GMT",
        "Sun, 0x Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08-49-37 GMT",
        "Someday, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 EST",
        "Sun Nov  6 08:49:37 19x4",
        "Sun Nov 06 08:49:37 1994 GMT",
        "1994-11-06T08:49:37Z"
      })
  void refusesGarbage(String v) {
    assertThat(HttpDates.parse(v)).isEmpty();
  }

  @Test
  void refusesNull() {
    assertThat(HttpDates.parse(null)).isEqualTo(Optional.empty());
  }
}
