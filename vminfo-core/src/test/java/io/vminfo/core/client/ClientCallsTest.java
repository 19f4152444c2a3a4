package io.vminfo.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain requests against a scripted server, including old-vminfod style answers. */
class ClientCallsTest {
  FakeAgentServer server;
  VminfoClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = new FakeAgentServer();
    client = VminfoClient.builder(server.uri()).requestTimeout(Duration.ofMillis(500)).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  @Test
  void vminfodPlainText404IsNotFound() throws Exception {
    server.replies.add(FakeAgentServer.Reply.status(404, "VM Not Found: web-01"));
    assertThatThrownBy(() -> client.vm("web 01"))
        .isInstanceOf(VminfoNotFoundException.class)
        .hasMessageContaining("VM Not Found: web-01")
        .satisfies(e -> assertThat(((VminfoApiException) e).code()).isEqualTo("HttpError"));
    assertThat(server.nextRequest()).startsWith("/vms/web%2001 ");
    server.replies.add(
        FakeAgentServer.Reply.status(
            404, "{\"code\":\"NotFound\",\"message\":\"VM Not Found: x\"}"));
    assertThat(client.findVm("x")).isEmpty();
  }

  @Test
  void apiErrorsCarryStatusAndCode() throws Exception {
    server.replies.add(
        FakeAgentServer.Reply.status(
            400, "{\"code\":\"BadRequest\",\"message\":\"unknown query parameter\"}"));
    assertThatThrownBy(() -> client.vms(VmQuery.all().withState("running")))
        .isInstanceOf(VminfoApiException.class)
        .satisfies(
            e -> {
              VminfoApiException a = (VminfoApiException) e;
              assertThat(a.status()).isEqualTo(400);
              assertThat(a.code()).isEqualTo("BadRequest");
            });
    assertThat(server.nextRequest()).startsWith("/vms?state=running ");
  }

  @Test
  void aSignerSignsEachWriteWithItsTargetAndNoRead() throws Exception {
    List<String> signed = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (VminfoClient signing =
        VminfoClient.builder(server.uri())
            .requestTimeout(Duration.ofSeconds(5))
            .requestSigner(
                (method, target) -> {
                  signed.add(method + " " + target);
                  return java.util.Map.of("Authorization", "Signature n=\"" + signed.size() + "\"");
                })
            .build()) {
      String job =
          "{\"id\":\"j1\",\"vm_uuid\":\"5595d88c-6e4d-4bda-b58e-97dd02e32bec\","
              + "\"action\":\"start\",\"status\":\"Queued\",\"requester\":\"k\","
              + "\"created\":\"2026-12-07T10:00:00Z\"}";
      server.replies.add(
          new FakeAgentServer.Reply(
              202, List.of(job), false, new java.util.concurrent.CountDownLatch(0)));
      try {
        signing.act("web 01", io.vminfo.core.GuestAction.START);
      } catch (VminfoClientException e) {
        // the body's shape is JobInfo's business; what was sent is this test's
      }
      assertThat(server.nextRequest()).startsWith("/vms/web%2001/start ");
      assertThat(server.authorizations.poll(20, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo("POST AUTH=Signature n=\"1\"");
      server.replies.add(FakeAgentServer.Reply.status(404, "{\"code\":\"NotFound\"}"));
      assertThat(signing.findVm("x")).isEmpty();
      assertThat(server.nextRequest()).startsWith("/vms/x ");
      assertThat(server.authorizations.poll(20, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo("GET AUTH=null");
    }
    assertThat(signed).containsExactly("POST /vms/web%2001/start");
  }

  @Test
  void aSilentAgentTimesOut() {
    server.replies.add(FakeAgentServer.Reply.silent());
    assertThatThrownBy(() -> client.status()).isInstanceOf(VminfoTimeoutException.class);
  }

  @Test
  void badJsonIsAClientError() {
    server.replies.add(
        new FakeAgentServer.Reply(
            200, List.of("{nope"), false, new java.util.concurrent.CountDownLatch(0)));
    assertThatThrownBy(() -> client.ping())
        .isInstanceOf(VminfoClientException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void nobodyListeningIsAClearError() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (VminfoClient c =
        VminfoClient.builder(java.net.URI.create("http://127.0.0.1:" + port)).build()) {
      assertThatThrownBy(c::ping)
          .isInstanceOf(VminfoClientException.class)
          .hasMessageContaining("cannot connect to the agent");
    }
  }
}
