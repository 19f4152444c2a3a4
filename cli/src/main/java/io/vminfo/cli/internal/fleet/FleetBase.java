package io.vminfo.cli.internal.fleet;

import io.vminfo.cli.internal.CliFailure;
import io.vminfo.cli.internal.CommandBase;
import io.vminfo.cli.internal.DurationConverter;
import io.vminfo.cli.internal.output.Cells;
import io.vminfo.fleet.FleetView;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Option;

/**
 * A {@code vminfo fleet} command: a {@link FleetView} of the Kafka cluster at {@code
 * --bootstrap-servers} (else {@code $VMINFO_KAFKA}); an unreachable broker exits 3, a missing topic
 * 1.
 */
public abstract class FleetBase extends CommandBase {
  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description = "Kafka brokers (default: $VMINFO_KAFKA).")
  private String bootstrapServers;

  @Option(
      names = "--vms-topic",
      paramLabel = "TOPIC",
      defaultValue = "vminfo.vms",
      description = "The compacted topic of current VMs (default: ${DEFAULT-VALUE}).")
  protected String vmsTopic;

  @Option(
      names = "--feed-topic",
      paramLabel = "TOPIC",
      defaultValue = "vminfo.feed",
      description = "The topic of feed events (default: ${DEFAULT-VALUE}).")
  protected String feedTopic;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest wait for Kafka to answer (default: 30s).")
  private Duration timeout;

  protected Duration timeout() {
    return timeout == null ? Duration.ofSeconds(30) : timeout;
  }

  protected String servers() {
    String s =
        bootstrapServers != null
            ? bootstrapServers
            : terminal().getenv("VMINFO_KAFKA").orElse(null);
    if (s == null || s.isBlank()) {
      throw CliFailure.usage("name the Kafka brokers with --bootstrap-servers or $VMINFO_KAFKA");
    }
    if (!s.matches("[^\\s,]+:\\d{1,5}(,[^\\s,]+:\\d{1,5})*")) {
      throw CliFailure.usage(
          "--bootstrap-servers must be host:port[,host:port...], got '" + Cells.escape(s) + "'");
    }
    return s;
  }

  protected FleetView view() {
    return new FleetView(servers(), vmsTopic, feedTopic);
  }

  /** The view read to the end of the VM topic, Kafka's failures as exit codes. */
  protected FleetView loaded() {
    FleetView v = view();
    try {
      v.refresh(timeout());
      return v;
    } catch (TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
      v.close();
      throw CliFailure.unreachable(
          "cannot reach Kafka at "
              + servers()
              + " within "
              + timeout()
              + ": "
              + Cells.escape(String.valueOf(e.getMessage())),
          e);
    } catch (IllegalStateException e) {
      v.close();
      throw CliFailure.failed(Cells.escape(String.valueOf(e.getMessage())), e);
    } catch (org.apache.kafka.common.KafkaException e) {
      v.close();
      throw CliFailure.failed("kafka: " + Cells.escape(String.valueOf(e.getMessage())), e);
    }
  }
}
