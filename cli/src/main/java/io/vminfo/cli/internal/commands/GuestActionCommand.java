package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.DurationConverter;
import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.cli.internal.agent.WriteOptions;
import io.vminfo.core.GuestAction;
import io.vminfo.core.client.JobInfo;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vminfo start|stop|reboot|poweroff|suspend|resume UUID [--wait] [--timeout D]}: queues the
 * action on the agent (POST /vms/{id}/{action}, needs {@code actions.enabled}, signed with {@code
 * --key}) and prints the job; with {@code --wait}, waits until the job is Complete (exit 0) or
 * Error (exit 1).
 */
public abstract class GuestActionCommand extends AgentCommand {
  @Parameters(paramLabel = "UUID|ZONENAME", description = "The VM.")
  private String id;

  @Option(names = "--wait", description = "Wait until the job is Complete or Error.")
  private boolean wait;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "With --wait: give up after this long (default: 180s).")
  private Duration timeout = Duration.ofSeconds(180);

  @Mixin private WriteOptions writes;

  protected abstract GuestAction action();

  @Override
  protected Optional<WriteOptions> writeOptions() {
    return Optional.of(writes);
  }

  @Override
  public Integer call() throws InterruptedException {
    if (id.isBlank()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "VM id is empty");
    }
    JobInfo job = call(client -> client.act(id, action()));
    if (!wait) {
      out().println(JobsCommand.line(job));
      return ExitCode.OK;
    }
    JobInfo end = call(client -> client.awaitJob(job.id(), timeout));
    out().println(JobsCommand.line(end));
    return end.complete() ? ExitCode.OK : ExitCode.FAILED;
  }

  @Command(
      name = "start",
      header = "Start a VM (as a job).",
      description = "Start a VM; the job is Complete once the agent shows it running.",
      footer = {"  vminfo start 5595d88c-6e4d-4bda-b58e-97dd02e32bec --wait"})
  public static final class Start extends GuestActionCommand {
    @Override
    protected GuestAction action() {
      return GuestAction.START;
    }
  }

  @Command(
      name = "stop",
      header = "Shut a VM down (as a job).",
      description = "Graceful shutdown; powered off after the agent's actions.grace.",
      footer = {"  vminfo stop my-vm --wait --timeout 2m"})
  public static final class Stop extends GuestActionCommand {
    @Override
    protected GuestAction action() {
      return GuestAction.STOP;
    }
  }

  @Command(
      name = "reboot",
      header = "Reboot a VM (as a job).",
      description = "Stop (graceful, then power-off) and start; Complete once seen running again.",
      footer = {"  vminfo reboot 5595d88c-6e4d-4bda-b58e-97dd02e32bec --wait"})
  public static final class Reboot extends GuestActionCommand {
    @Override
    protected GuestAction action() {
      return GuestAction.REBOOT;
    }
  }

  @Command(
      name = "poweroff",
      header = "Power a VM off (as a job).",
      description = "Stop a VM at once, without asking the guest.",
      footer = {"  vminfo poweroff 5595d88c-6e4d-4bda-b58e-97dd02e32bec --wait"})
  public static final class Poweroff extends GuestActionCommand {
    @Override
    protected GuestAction action() {
      return GuestAction.POWEROFF;
    }
  }

  @Command(
      name = "suspend",
      header = "Suspend a VM (as a job).",
      description = "Pause a VM's CPUs; Complete once the agent shows it paused.",
      footer = {"  vminfo suspend 5595d88c-6e4d-4bda-b58e-97dd02e32bec --wait"})
  public static final class Suspend extends GuestActionCommand {
    @Override
    protected GuestAction action() {
      return GuestAction.SUSPEND;
    }
  }

  @Command(
      name = "resume",
      header = "Resume a suspended VM (as a job).",
      description = "Resume a paused VM; Complete once the agent shows it running.",
      footer = {"  vminfo resume 5595d88c-6e4d-4bda-b58e-97dd02e32bec --wait"})
  public static final class Resume extends GuestActionCommand {
    @Override
    protected GuestAction action() {
      return GuestAction.RESUME;
    }
  }
}
