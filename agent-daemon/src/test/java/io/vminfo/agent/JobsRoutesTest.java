package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.internal.WriteAuthenticator;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.GuestAction;
import io.vminfo.core.GuestActions;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.testing.FakeVmSource;
import io.vminfo.manta.HttpSignatures;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write routes against a real agent whose fake host applies the actions it is asked for. */
class JobsRoutesTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path state;

  FakeVmSource source =
      new FakeVmSource(
          List.of(
              TestVms.vm(1, "stopped", "kvm", TestVms.OWNER_A),
              TestVms.vm(2, "running", "kvm", TestVms.OWNER_A)),
          HostIdentity.unknown());
  volatile CountDownLatch gate = new CountDownLatch(0);
  final List<Job> started = new CopyOnWriteArrayList<>();
  final List<Job> finished = new CopyOnWriteArrayList<>();
  AgentHarness h;

  /** Changes the fake host the way the action would; the agent's reload puts it in the store. */
  final GuestActions host =
      new GuestActions() {
        @Override
        public Set<GuestAction> supported() {
          return EnumSet.allOf(GuestAction.class);
        }

        @Override
        public void perform(Vm vm, GuestAction action, Duration grace, Duration timeout)
            throws IOException, InterruptedException {
          if (!gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("gate never opened");
          }
          source.apply(vm.with(o -> o.put("state", action.expectedState())));
        }
      };

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** The x-request-id of the next signed post. */
  String requestId = UUID.randomUUID().toString();

  static final MantaKey OPS = key();
  static final MantaKey STRANGER = key();

  static MantaKey key() {
    try {
      return new MantaKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  Path authorizedKeys() throws IOException {
    Path file = state.resolveSibling(state.getFileName() + "-authorized_keys");
    Files.writeString(file, "# who may write\n\n" + OPS.publicKeyLine() + " ops@admin-1\n");
    return file;
  }

  AgentHarness start(boolean enabled) throws Exception {
    Path keys = authorizedKeys();
    h =
        AgentHarness.start(
            source,
            state,
            b -> {
              b.set("actions.enabled", Boolean.toString(enabled));
              b.set("actions.authorized_keys", keys.toString());
              b.set("actions.queue_per_vm", "1");
            },
            null,
            b ->
                b.backendFactory(ctx -> new HostBackend(source, UsageProbe.NONE, host))
                    .jobListener(
                        new JobListener() {
                          @Override
                          public void jobStarted(Job job) {
                            started.add(job);
                          }

                          @Override
                          public void jobFinished(Job job) {
                            finished.add(job);
                          }
                        }));
    return h;
  }

  RawHttp.Response post(String target) throws IOException {
    requestId = UUID.randomUUID().toString();
    return post(
        target,
        authorization(
            OPS, "POST", target, date(Instant.now()), WriteAuthenticator.REQUIRED_HEADERS),
        date(Instant.now()));
  }

  RawHttp.Response post(String target, String authorization, String date) throws IOException {
    return post(target, authorization, date, requestId);
  }

  RawHttp.Response post(String target, String authorization, String date, String id)
      throws IOException {
    try (RawHttp c = h.connect()) {
      c.send(
          "POST "
              + target
              + " HTTP/1.1\r\nHost: test\r\nDate: "
              + date
              + "\r\nX-Request-Id: "
              + id
              + (authorization.isEmpty() ? "" : "\r\nAuthorization: " + authorization)
              + "\r\nContent-Length: 0\r\n\r\n");
      return c.readResponse();
    }
  }

  static String date(Instant at) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC));
  }

  String authorization(
      MantaKey key, String method, String target, String date, List<String> headers) {
    String signing =
        HttpSignatures.signingString(
            headers,
            method,
            target,
            name ->
                name.equals("date")
                    ? Optional.of(date)
                    : name.equals("x-request-id") ? Optional.of(requestId) : Optional.empty());
    return HttpSignatures.authorization(
        MantaSigner.of(key), "/ops/keys/" + key.md5Fingerprint(), headers, signing);
  }

  @Test
  void writeRoutesAreOffUnlessConfigured() throws Exception {
    start(false);
    RawHttp.Response r = post("/vms/" + TestVms.uuid(1) + "/start");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.header("allow")).isEqualTo("GET");
    assertThat(h.get("/jobs").status()).isEqualTo(404);
    assertThat(h.agent.store().get(TestVms.uuid(1)).orElseThrow().state()).contains("stopped");
  }

  @Test
  void anActionIsAcceptedWithItsJobIdAndCompletesWhenTheStoreShowsIt() throws Exception {
    start(true);
    String uuid = TestVms.uuid(1);
    RawHttp.Response r = post("/vms/" + uuid + "/start");
    assertThat(r.status()).isEqualTo(202);
    String id = r.header("x-guest-job-id");
    JsonNode job = r.json();
    assertThat(job.path("id").asText()).isEqualTo(id);
    assertThat(job.path("vm_uuid").asText()).isEqualTo(uuid);
    assertThat(job.path("action").asText()).isEqualTo("start");
    assertThat(job.path("status").asText()).isEqualTo("Queued");
    assertThat(job.path("requester").asText())
        .startsWith("key:ops@admin-1 " + OPS.md5Fingerprint() + " from tcp:127.0.0.1:");
    JsonNode done =
        await()
            .atMost(WAIT)
            .until(
                () -> h.get("/jobs/" + id).json(),
                j -> j.path("status").asText().equals("Complete"));
    assertThat(done.path("vm_state").asText()).isEqualTo("running");
    assertThat(h.agent.store().get(uuid).orElseThrow().state()).contains("running");
    assertThat(h.get("/vms/" + uuid + "/jobs").json()).hasSize(1);
    assertThat(h.get("/jobs").json().get(0).path("id").asText()).isEqualTo(id);
    assertThat(h.get("/vms/" + TestVms.uuid(2) + "/jobs").json()).isEmpty();
    await().atMost(WAIT).until(() -> finished.size() == 1);
    assertThat(started).extracting(Job::id).containsExactly(id);
    assertThat(finished.get(0).state()).isEqualTo(JobState.COMPLETE);
  }

  @Test
  void badRequestsAreRefusedAndQueueNothing() throws Exception {
    start(true);
    assertThat(post("/vms/" + TestVms.uuid(9) + "/start").status()).isEqualTo(404);
    RawHttp.Response bad = post("/vms/" + TestVms.uuid(1) + "/explode");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("message").asText()).contains("unknown action");
    assertThat(post("/vms/" + TestVms.uuid(1)).status()).isEqualTo(404);
    assertThat(post("/vms/" + TestVms.uuid(1) + "/start?force=1").status()).isEqualTo(400);
    assertThat(h.get("/jobs/nope").status()).isEqualTo(404);
    assertThat(h.get("/jobs").json()).isEmpty();
  }

  @Test
  void aFullQueueIs429() throws Exception {
    gate = new CountDownLatch(1);
    start(true);
    String vm = TestVms.uuid(2);
    assertThat(post("/vms/" + vm + "/stop").status()).isEqualTo(202);
    await().atMost(WAIT).until(() -> started.size() == 1);
    assertThat(post("/vms/" + vm + "/start").status()).isEqualTo(202);
    RawHttp.Response full = post("/vms/" + vm + "/stop");
    assertThat(full.status()).isEqualTo(429);
    assertThat(full.json().path("code").asText()).isEqualTo("TooManyRequests");
    gate.countDown();
    await().atMost(WAIT).until(() -> finished.size() == 2);
    assertThat(finished).extracting(j -> j.action().wireName()).containsExactly("stop", "start");
    assertThat(finished).allMatch(j -> j.state() == JobState.COMPLETE);
  }

  @Test
  void actionsNeedAuthorizedKeysAndAKeyFileThatParses() throws Exception {
    assertThatThrownBy(() -> startWithActions(Optional.empty()))
        .hasMessageContaining(
            "actions.enabled needs actions.authorized_keys (writes signed by"
                + " a listed key) or actions.socket");
    Path broken =
        Files.writeString(
            state.resolveSibling("broken_keys"),
            OPS.publicKeyLine() + " ok\nssh-rsa AAAAnot-a-key x\n");
    assertThatThrownBy(() -> startWithActions(Optional.of(broken)))
        .hasMessageContaining("line 2 is not an OpenSSH public key");
    Path empty = Files.writeString(state.resolveSibling("empty_keys"), "# nobody\n");
    assertThatThrownBy(() -> startWithActions(Optional.of(empty)))
        .hasMessageContaining("lists no key");
  }

  private AgentHarness startWithActions(Optional<Path> authorizedKeys) throws Exception {
    return AgentHarness.start(
        source,
        state,
        b -> {
          b.set("actions.enabled", "true");
          authorizedKeys.ifPresent(k -> b.set("actions.authorized_keys", k.toString()));
        },
        null);
  }

  @Test
  void aWriteWithoutAGoodFreshSignatureOfAListedKeyIsRefusedAndQueuesNothing() throws Exception {
    start(true);
    String target = "/vms/" + TestVms.uuid(1) + "/start";
    String now = date(Instant.now());
    List<String> both = WriteAuthenticator.REQUIRED_HEADERS;

    RawHttp.Response anonymous = post(target, "", now);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().path("code").asText()).isEqualTo("NotAuthenticated");
    assertThat(code(post(target, authorization(STRANGER, "POST", target, now, both), now)))
        .isEqualTo("403 KeyDoesNotExist");
    // signed for another route of the same VM
    assertThat(
            code(
                post(
                    target,
                    authorization(OPS, "POST", "/vms/" + TestVms.uuid(1) + "/poweroff", now, both),
                    now)))
        .isEqualTo("403 InvalidSignature");
    // the date alone (Manta's default) would let a signature serve any route
    assertThat(code(post(target, authorization(OPS, "POST", target, now, List.of("date")), now)))
        .isEqualTo("400 InvalidHeader");
    // a signed request id that is not the one sent
    assertThat(
            code(
                post(
                    target,
                    authorization(OPS, "POST", target, now, both),
                    now,
                    UUID.randomUUID().toString())))
        .isEqualTo("403 InvalidSignature");
    String stale = date(Instant.now().minus(Duration.ofMinutes(6)));
    assertThat(code(post(target, authorization(OPS, "POST", target, stale, both), stale)))
        .isEqualTo("400 RequestExpired");
    assertThat(code(post(target, "Signature keyId=\"/ops/keys/x\"", now)))
        .isEqualTo("400 InvalidHeader");
    assertThat(code(post(target, "Basic b3BzOnNlY3JldA==", now))).isEqualTo("400 InvalidHeader");
    assertThat(h.get("/jobs").json()).isEmpty();

    String once = authorization(OPS, "POST", target, now, both);
    assertThat(post(target, once, now).status()).isEqualTo(202);
    assertThat(code(post(target, once, now))).isEqualTo("403 RequestReplayed");
    // the same write in the same second with a fresh request id is a new write
    requestId = UUID.randomUUID().toString();
    assertThat(post(target, authorization(OPS, "POST", target, now, both), now).status())
        .isEqualTo(202);
    assertThat(h.get("/jobs").json()).hasSize(2);
  }

  static String code(RawHttp.Response r) {
    return r.status() + " " + r.json().path("code").asText();
  }

  /** A host directory any user can traverse, for the local socket (JUnit's temp dirs are 0700). */
  Path openDir() throws IOException {
    Path d = Files.createTempDirectory(Path.of("/tmp"), "vminfo-sock");
    Files.setPosixFilePermissions(
        d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    return d;
  }

  AgentHarness startWithSocket(Path socket, String group) throws Exception {
    h =
        AgentHarness.start(
            source,
            state,
            b -> {
              b.set("actions.enabled", "true");
              b.set("actions.socket", socket.toString());
              if (!group.isEmpty()) {
                b.set("actions.socket_group", group);
              }
            },
            null,
            b -> b.backendFactory(ctx -> new HostBackend(source, UsageProbe.NONE, host)));
    return h;
  }

  /** One HTTP/1.1 request over the UNIX socket, read to the end (the request closes). */
  static String overSocket(Path socket, String request) throws IOException {
    try (java.nio.channels.SocketChannel ch =
        java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
      ch.write(
          java.nio.ByteBuffer.wrap(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.InputStream in = java.nio.channels.Channels.newInputStream(ch);
      byte[] b = new byte[8192];
      int n;
      while ((n = in.read(b)) >= 0) {
        out.write(b, 0, n);
      }
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void onTheLocalSocketAWriteIsAllowedByThePeersCredentialsAndNamesThePeer() throws Exception {
    Path dir = openDir();
    Path socket = dir.resolve("agent.sock");
    try {
      startWithSocket(socket, "");
      assertThat(Files.getPosixFilePermissions(socket)).hasSize(6); // rw for all: reads are open
      String me = System.getProperty("user.name");
      String reply =
          overSocket(
              socket,
              "POST /vms/"
                  + TestVms.uuid(1)
                  + "/start HTTP/1.1\r\n"
                  + "Host: local\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      assertThat(reply).startsWith("HTTP/1.1 202");
      assertThat(reply).contains("\"requester\":\"unix:" + me + "(");
      assertThat(
              overSocket(
                  socket,
                  "GET /vms/"
                      + TestVms.uuid(1)
                      + " HTTP/1.1\r\nHost: local\r\n"
                      + "Connection: close\r\n\r\n"))
          .startsWith("HTTP/1.1 200");
      // the same write over TCP, unsigned: this agent has no keys, so only the socket writes
      RawHttp.Response tcp = post("/vms/" + TestVms.uuid(1) + "/stop", "", date(Instant.now()));
      assertThat(tcp.status()).isEqualTo(401);
      assertThat(tcp.json().path("message").asText()).contains("UNIX socket (actions.socket) only");
      assertThat(h.get("/jobs").json()).hasSize(1);
    } finally {
      if (h != null) {
        h.close();
        h = null;
      }
      assertThat(socket).doesNotExist(); // a stopped agent removes its socket
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void aPeerThatIsNotRootNorTheAgentsUserNorInTheGroupIsRefused() throws Exception {
    io.vminfo.core.testing.Prerequisites.require(
        System.getProperty("user.name").equals("root")
            && Files.isExecutable(Path.of("/usr/sbin/runuser"))
            && Files.isExecutable(Path.of("/usr/bin/curl")),
        "needs root, runuser and curl to connect as another user");
    Path dir = openDir();
    Path socket = dir.resolve("agent.sock");
    String target = "http://local/vms/" + TestVms.uuid(1) + "/start";
    try {
      startWithSocket(socket, "");
      assertThat(asNobody(socket, target))
          .startsWith("403 ")
          .contains("NotAuthorized")
          .contains("the local socket peer nobody");
      assertThat(h.get("/jobs").json()).isEmpty();
      h.close();
      h = null;
      // nobody's group on Debian is nogroup: configured, the same peer may write
      startWithSocket(socket, "nogroup");
      assertThat(asNobody(socket, target)).startsWith("202 ").contains("unix:nobody(nogroup)");
    } finally {
      if (h != null) {
        h.close();
        h = null;
      }
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);
    }
  }

  /** curl as user nobody: "<status> <body>". */
  static String asNobody(Path socket, String url) throws Exception {
    Process p =
        new ProcessBuilder(
                "/usr/sbin/runuser",
                "-u",
                "nobody",
                "--",
                "/usr/bin/curl",
                "-s",
                "-X",
                "POST",
                "--max-time",
                "10",
                "-w",
                "\n%{http_code}",
                "--unix-socket",
                socket.toString(),
                url)
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .strip();
    int nl = out.lastIndexOf('\n');
    return out.substring(nl + 1) + " " + out.substring(0, Math.max(0, nl));
  }

  @Test
  void aSocketLeftByAKilledAgentIsReplacedButNothingElseEverIs() throws Exception {
    Path file = Files.writeString(state.resolveSibling("not-a-socket"), "precious");
    assertThatThrownBy(() -> startWithSocket(file, ""))
        .hasMessageContaining("exists and is not a socket");
    assertThat(Files.readString(file)).isEqualTo("precious");

    Path stale = state.resolveSibling("stale.sock");
    try (java.nio.channels.ServerSocketChannel dead =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      dead.bind(java.net.UnixDomainSocketAddress.of(stale)); // closing leaves the file, as a kill
    }
    assertThat(stale).exists();
    startWithSocket(stale, "");
    assertThat(overSocket(stale, "GET /ping HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200");
  }
}
