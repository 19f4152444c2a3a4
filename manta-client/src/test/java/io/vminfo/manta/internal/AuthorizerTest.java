package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.testing.ManualClock;
import io.vminfo.manta.MantaSigner;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizerTest {

  /** Records what it signs; the "signature" is the signed text itself. */
  private static final class RecordingSigner implements MantaSigner {
    final List<String> signed = new ArrayList<>();

    @Override
    public String md5Fingerprint() {
      return "aa:bb";
    }

    @Override
    public String algorithm() {
      return "rsa-sha256";
    }

    @Override
    public byte[] sign(byte[] data) {
      signed.add(new String(data, StandardCharsets.UTF_8));
      return data;
    }
  }

  @Test
  void signsOncePerSecondOfTheClockAndAgainWhenTheSecondChanges() {
    RecordingSigner signer = new RecordingSigner();
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T23:30:05.001Z"));
    Authorizer auth = new Authorizer(Optional.of(signer), "alice", Optional.empty(), clock);

    Authorizer.Signed first = auth.now();
    clock.set(Instant.parse("2026-12-07T23:30:05.999Z"));
    Authorizer.Signed sameSecond = auth.now();
    clock.set(Instant.parse("2026-12-07T23:30:06.000Z"));
    Authorizer.Signed next = auth.now();

    assertThat(first.date()).isEqualTo("Mon, 07 Dec 2026 23:30:05 GMT");
    assertThat(sameSecond).isSameAs(first);
    assertThat(next.date()).isEqualTo("Mon, 07 Dec 2026 23:30:06 GMT");
    assertThat(signer.signed)
        .containsExactly(
            "date: Mon, 07 Dec 2026 23:30:05 GMT", "date: Mon, 07 Dec 2026 23:30:06 GMT");
    assertThat(next.authorization().orElseThrow())
        .startsWith("Signature keyId=\"/alice/keys/aa:bb\",algorithm=\"rsa-sha256\"")
        .contains("headers=\"date\"");
  }

  @Test
  void aClockSteppedBackSignsTheEarlierDateInsteadOfReusingTheLaterOne() {
    RecordingSigner signer = new RecordingSigner();
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T23:30:06Z"));
    Authorizer auth = new Authorizer(Optional.of(signer), "alice", Optional.of("ops"), clock);

    auth.now();
    clock.set(Instant.parse("2026-12-07T23:30:05Z"));
    Authorizer.Signed back = auth.now();

    assertThat(back.date()).isEqualTo("Mon, 07 Dec 2026 23:30:05 GMT");
    assertThat(back.authorization().orElseThrow()).contains("keyId=\"/alice/ops/keys/aa:bb\"");
    assertThat(signer.signed).hasSize(2);
  }

  @Test
  void anonymousRequestsGetADateAndNoAuthorization() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T00:00:00Z"));
    Authorizer auth = new Authorizer(Optional.empty(), "alice", Optional.empty(), clock);

    assertThat(auth.now().date()).isEqualTo("Mon, 07 Dec 2026 00:00:00 GMT");
    assertThat(auth.now().authorization()).isEmpty();
  }
}
