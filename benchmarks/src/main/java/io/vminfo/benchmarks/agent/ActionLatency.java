package io.vminfo.benchmarks.agent;

import io.vminfo.agent.Agent;
import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.Job;
import io.vminfo.agent.JobListener;
import io.vminfo.ittests.LibvirtHost;
import io.vminfo.manta.HttpSignatures;
import io.vminfo.manta.MantaKey;
import io.vminfo.manta.MantaSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Guest action → job Complete against the bare {@code virsh} command, side by side on one real
 * libvirtd (started, or attached to, as the integration tests do) and one 64 MiB firmware-only
 * guest: per round, each action once as {@code virsh <cmd>} and once as a signed {@code POST
 * /vms/{uuid}/{action}} to an in-process agent (libvirt backend) until its job is Complete (the
 * store shows the end state), alternating which goes first. The job's time is from sending the POST
 * to the agent's {@link JobListener#jobFinished}.
 *
 * <pre>ActionLatency [--rounds N] [--transport auto|library|virsh]</pre>
 */
public final class ActionLatency {
  /**
   * Action, virsh command, the state after it, the state before it; each ends where the next
   * starts.
   */
  private static final List<String[]> ACTIONS =
      List.of(
          new String[] {"start", "start", "running", "stopped"},
          new String[] {"suspend", "suspend", "paused", "running"},
          new String[] {"resume", "resume", "running", "paused"},
          new String[] {"poweroff", "destroy", "stopped", "running"});

  private ActionLatency() {}

  public static void main(String[] args) throws Exception {
    int rounds = 10;
    String transport = "auto";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--transport" -> transport = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("vminfo-action-latency");
    MantaKey key = new MantaKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    Path keys =
        Files.writeString(work.resolve("authorized_keys"), key.publicKeyLine() + " bench\n");
    Map<String, CompletableFuture<Job>> finished = new ConcurrentHashMap<>();
    try (LibvirtHost host = LibvirtHost.start()) {
      String name = "vminfo-bench-" + UUID.randomUUID().toString().substring(0, 8);
      String uuid = host.defineGuest(name);
      Agent agent =
          Agent.builder(
                  AgentConfig.builder()
                      .set("listen.port", "0")
                      .set("state_dir", work.resolve("state").toString())
                      .set("backend", "libvirt")
                      .set("host_root", "/")
                      .set("actions.enabled", "true")
                      .set("actions.authorized_keys", keys.toString())
                      .set("actions.timeout", "60s")
                      .set("actions.libvirt_transport", transport)
                      .build())
              .jobListener(
                  new JobListener() {
                    @Override
                    public void jobStarted(Job job) {}

                    @Override
                    public void jobFinished(Job job) {
                      finished
                          .computeIfAbsent(job.id(), id -> new CompletableFuture<>())
                          .complete(job);
                    }
                  })
              .build();
      agent.start();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI base = URI.create("http://127.0.0.1:" + agent.address().getPort());
      Map<String, List<Long>> virshMs = new LinkedHashMap<>();
      Map<String, List<Long>> jobMs = new LinkedHashMap<>();
      try {
        for (int round = 0; round < rounds + 1; round++) { // round 0 warms both paths up
          for (String[] a : ACTIONS) {
            boolean virshFirst = round % 2 == 0;
            long v = 0;
            long j = 0;
            for (int i = 0; i < 2; i++) {
              if (virshFirst == (i == 0)) {
                long t0 = System.nanoTime();
                host.virsh(a[1], name);
                v = System.nanoTime() - t0;
              } else {
                j = job(http, base, key, uuid, a[0], finished);
              }
              settle(agent, uuid, a[2]);
              if (i == 0) { // back to where the action starts from, for its second measurement
                undo(host, name, a[0]);
                settle(agent, uuid, a[3]);
              }
            }
            if (round > 0) {
              virshMs.computeIfAbsent(a[0], k -> new ArrayList<>()).add(v / 1_000_000);
              jobMs.computeIfAbsent(a[0], k -> new ArrayList<>()).add(j / 1_000_000);
            }
          }
        }
      } finally {
        agent.stop();
        try {
          host.destroy(name);
        } catch (java.io.IOException e) {
          // not running
        }
        host.undefine(name);
      }
      System.out.printf(
          "%-9s %22s %22s%n", "action", "virsh ms (median/max)", "job ms (median/max)");
      for (String[] a : ACTIONS) {
        System.out.printf(
            "%-9s %22s %22s%n", a[0], summary(virshMs.get(a[0])), summary(jobMs.get(a[0])));
      }
    }
  }

  /** Puts the guest back where the action starts from. */
  private static void undo(LibvirtHost host, String name, String action) throws Exception {
    switch (action) {
      case "start" -> host.destroy(name);
      case "suspend" -> host.resume(name);
      case "resume" -> host.suspend(name);
      case "poweroff" -> host.startGuest(name);
      default -> throw new IllegalArgumentException(action);
    }
  }

  /** Waits until the agent's store shows {@code state}, so no step overlaps the last one's work. */
  private static void settle(Agent agent, String uuid, String state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!agent.store().get(uuid).flatMap(vm -> vm.state()).equals(Optional.of(state))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(uuid + " never showed " + state + " in the store");
      }
      Thread.sleep(5);
    }
  }

  private static long job(
      HttpClient http,
      URI base,
      MantaKey key,
      String uuid,
      String action,
      Map<String, CompletableFuture<Job>> finished)
      throws Exception {
    String target = "/vms/" + uuid + "/" + action;
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atZone(ZoneOffset.UTC));
    String requestId = UUID.randomUUID().toString();
    List<String> signed = List.of(HttpSignatures.REQUEST_TARGET, "date", "x-request-id");
    String signing =
        HttpSignatures.signingString(
            signed,
            "POST",
            target,
            h ->
                h.equals("date")
                    ? Optional.of(date)
                    : h.equals("x-request-id") ? Optional.of(requestId) : Optional.empty());
    HttpRequest post =
        HttpRequest.newBuilder(base.resolve(target))
            .timeout(Duration.ofSeconds(10))
            .header("Date", date)
            .header("X-Request-Id", requestId)
            .header(
                "Authorization",
                HttpSignatures.authorization(
                    MantaSigner.of(key), "/bench/keys/" + key.md5Fingerprint(), signed, signing))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    long t0 = System.nanoTime();
    HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException(action + ": " + r.statusCode() + " " + r.body());
    }
    String id = r.headers().firstValue("X-Guest-Job-ID").orElseThrow();
    Job job =
        finished.computeIfAbsent(id, k -> new CompletableFuture<>()).get(90, TimeUnit.SECONDS);
    long elapsed = System.nanoTime() - t0;
    if (!job.state().name().equals("COMPLETE")) {
      throw new IllegalStateException(action + " job ended " + job);
    }
    return elapsed;
  }

  private static String summary(List<Long> ms) {
    List<Long> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2) + " / " + sorted.get(sorted.size() - 1);
  }
}
