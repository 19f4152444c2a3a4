package io.vminfo.cli.internal.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.DurationConverter;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.agent.WriteOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vminfo alarms}, {@code vminfo alarms suppress ...}, {@code vminfo alarms unsuppress ID}.
 */
@Command(
    name = "alarms",
    header = "List open alarms and suppressions.",
    description =
        "The agent's open alarms and active suppressions (GET /alarms; the agent needs"
            + " alarms.enabled): one line each.",
    footer = {
      "  vminfo alarms",
      "  vminfo alarms suppress --vm 5595d88c-... --rule unexpected-stop" + " --for 2h",
      "  vminfo alarms unsuppress 0b9d6f0e-..."
    },
    subcommands = {AlarmsCommand.Suppress.class, AlarmsCommand.Unsuppress.class})
public final class AlarmsCommand extends AgentCommand {
  @Override
  public Integer call() throws InterruptedException {
    JsonNode all = call(c -> c.alarms());
    for (JsonNode a : all.path("alarms")) {
      out()
          .println(
              "alarm "
                  + a.path("id").asText()
                  + " "
                  + a.path("rule").asText()
                  + " "
                  + a.path("vm_uuid").asText()
                  + " since="
                  + a.path("opened_at").asText()
                  + " "
                  + a.path("detail").asText());
    }
    for (JsonNode s : all.path("suppressions")) {
      out().println(suppressionLine(s));
    }
    return ExitCode.OK;
  }

  static String suppressionLine(JsonNode s) {
    return "suppression "
        + s.path("id").asText()
        + " vms="
        + list(s.path("vms"))
        + " rules="
        + list(s.path("rules"))
        + " until="
        + (s.path("until").isTextual() ? s.path("until").asText() : "lifted")
        + " reason="
        + s.path("reason").asText();
  }

  private static String list(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out.isEmpty() ? "all" : String.join(",", out);
  }

  @Command(
      name = "suppress",
      header = "Suppress alarms for some VMs and rules, for a while or until lifted.",
      description =
          "POST /alarms/suppressions (the agent needs alarms.api_writes). No --vm: every"
              + " VM; no --rule: every rule (unexpected-stop, reboot-timeout, flapping); no --for: until"
              + " `vminfo alarms unsuppress ID`.")
  public static final class Suppress extends AgentCommand {
    @Mixin private WriteOptions writes;

    @Override
    protected Optional<WriteOptions> writeOptions() {
      return Optional.of(writes);
    }

    @Option(names = "--vm", paramLabel = "UUID", description = "A VM (repeatable).")
    private List<String> vms = new ArrayList<>();

    @Option(names = "--rule", paramLabel = "RULE", description = "A rule id (repeatable).")
    private List<String> rules = new ArrayList<>();

    @Option(
        names = "--for",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "How long, e.g. 30m, 2h.")
    private Duration duration;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (shown in listings).")
    private String reason = "";

    @Override
    public Integer call() throws InterruptedException {
      JsonNode s = call(c -> c.suppressAlarms(vms, rules, Optional.ofNullable(duration), reason));
      out().println(suppressionLine(s));
      return ExitCode.OK;
    }
  }

  @Command(
      name = "unsuppress",
      header = "Lift a suppression.",
      description = "DELETE /alarms/suppressions/{id}.")
  public static final class Unsuppress extends AgentCommand {
    @Mixin private WriteOptions writes;

    @Override
    protected Optional<WriteOptions> writeOptions() {
      return Optional.of(writes);
    }

    @Parameters(paramLabel = "ID", description = "The suppression's id.")
    private String id;

    @Override
    public Integer call() throws InterruptedException {
      call(
          c -> {
            c.liftAlarmSuppression(id);
            return id;
          });
      out().println("lifted " + id);
      return ExitCode.OK;
    }
  }
}
