package io.vminfo.cli.internal.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.DurationConverter;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.Shutdown;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.agent.UsageEndpoint;
import io.vminfo.cli.internal.output.JsonText;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vminfo usage tail}: the agent's latest usage records. */
@Command(
    name = "tail",
    header = "Print the agent's latest usage records.",
    description =
        "Print the latest usage record of every VM (GET /usage), one JSON line each, "
            + "exactly as in the hourly files. With -f, keep polling and print each new sample "
            + "as it is taken.",
    footer = {"  vminfo usage tail", "  vminfo usage tail -f --interval 30s"})
public final class UsageTailCommand extends AgentCommand {
  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new records (Ctrl-C ends).")
  private boolean follow;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description = "How often -f asks the agent (default: ${DEFAULT-VALUE}).")
  private Duration interval;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "With -f: exit after N records.")
  private long count;

  private long printed;

  @Override
  public Integer call() throws InterruptedException {
    if (count < 0) {
      throw io.vminfo.cli.internal.CliFailure.usage("--count must be positive");
    }
    UsageEndpoint usage = new UsageEndpoint(agentUri(), root().requestTimeout());
    Map<String, String> printedUpTo = new HashMap<>();
    print(usage.latest(), printedUpTo);
    if (!follow) {
      return ExitCode.OK;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Shutdown hook =
        Shutdown.onExit(
            "vminfo-usage-tail-stop",
            () -> {
              stop.countDown();
              out().flush();
            });
    try {
      while (!out().checkError() && !(count > 0 && printed >= count)) {
        if (stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
        print(usage.latest(), printedUpTo);
      }
    } finally {
      hook.close();
    }
    return ExitCode.OK;
  }

  /** Prints records newer than the last one printed for their VM. */
  private void print(List<JsonNode> records, Map<String, String> printedUpTo) {
    for (JsonNode r : records) {
      String uuid = r.path("uuid").asText("");
      String ts = r.path("timestamp").asText("");
      String last = printedUpTo.get(uuid);
      if ((last == null || ts.compareTo(last) > 0) && !(count > 0 && printed >= count)) {
        out().println(JsonText.compact(r));
        printedUpTo.put(uuid, ts);
        printed++;
      }
    }
    out().flush();
  }
}
