package io.vminfo.cli.internal.fleet;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.Shutdown;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.cli.internal.output.JsonText;
import io.vminfo.fleet.FleetView;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vminfo fleet follow}. */
@Command(
    name = "follow",
    header = "Follow the events of every host.",
    description =
        "Print the fleet feed (each host's create, modify, delete and resync lines, with"
            + " server_uuid), one JSON line each, until Ctrl-C. With --group, a consumer group: its"
            + " members share the partitions and it goes on where it stopped; without, from the start.",
    footer = {
      "  vminfo fleet follow",
      "  vminfo fleet follow --group ops-dashboard",
      "  vminfo fleet follow --max-events 10"
    })
public final class FleetFollowCommand extends FleetBase {
  @Option(
      names = "--group",
      paramLabel = "ID",
      description =
          "Consumer group id (default: a new one per run, so from the oldest event kept).")
  private String group;

  @Option(
      names = "--max-events",
      paramLabel = "N",
      description = "Stop after N events (default: follow until Ctrl-C).")
  private Long maxEvents;

  @Override
  public Integer call() {
    if (maxEvents != null && maxEvents < 1) {
      throw CliFailure.usage("--max-events must be at least 1, got " + maxEvents);
    }
    AtomicBoolean go = new AtomicBoolean(true);
    CountDownLatch done = new CountDownLatch(1);
    long[] seen = {0};
    String id = group != null ? group : "vminfo-cli-" + UUID.randomUUID();
    FleetView v = view();
    Shutdown hook =
        Shutdown.onExit(
            "vminfo-fleet-follow-stop",
            () -> {
              go.set(false);
              try {
                done.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    try {
      v.follow(
          id,
          Duration.ofMillis(500),
          go::get,
          e -> {
            out().println(JsonText.compact(e.line()));
            out().flush();
            if (maxEvents != null && ++seen[0] >= maxEvents) {
              go.set(false);
            }
          });
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw CliFailure.unreachable(
          "cannot reach Kafka at "
              + servers()
              + ": "
              + Cells.escape(String.valueOf(e.getMessage())),
          e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw CliFailure.failed("kafka: " + Cells.escape(String.valueOf(e.getMessage())), e);
    } finally {
      done.countDown();
      hook.close();
      v.close();
    }
    return ExitCode.OK;
  }
}
