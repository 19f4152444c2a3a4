package io.vminfo.cli.internal.commands;

import io.vminfo.cli.internal.ExitCode;
import io.vminfo.cli.internal.agent.AgentCommand;
import io.vminfo.core.client.JobInfo;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vminfo jobs [UUID|--job ID]}. */
@Command(
    name = "jobs",
    header = "List guest action jobs.",
    description =
        "The agent's jobs (GET /jobs), one VM's (GET /vms/{id}/jobs) or one job"
            + " (GET /jobs/{id}); one line each: id, action, VM, status, VM state, message.",
    footer = {
      "  vminfo jobs",
      "  vminfo jobs 5595d88c-6e4d-4bda-b58e-97dd02e32bec",
      "  vminfo jobs --job 0b9d6f0e-..."
    })
public final class JobsCommand extends AgentCommand {
  @Parameters(paramLabel = "UUID|ZONENAME", arity = "0..1", description = "Only this VM's jobs.")
  private String vm;

  @Option(names = "--job", paramLabel = "ID", description = "Only this job.")
  private String job;

  @Override
  public Integer call() throws InterruptedException {
    if (vm != null && job != null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "give a VM or --job, not both");
    }
    List<JobInfo> jobs;
    if (job != null) {
      JobInfo one = call(c -> c.job(job));
      jobs = List.of(one);
    } else if (vm != null) {
      jobs = call(c -> c.jobsOf(vm));
    } else {
      jobs = call(c -> c.jobs());
    }
    for (JobInfo j : jobs) {
      out().println(line(j));
    }
    return ExitCode.OK;
  }

  static String line(JobInfo j) {
    StringBuilder sb = new StringBuilder();
    sb.append(j.id())
        .append(' ')
        .append(j.action())
        .append(' ')
        .append(j.vmUuid())
        .append(' ')
        .append(j.status());
    j.vmState().ifPresent(s -> sb.append(" vm=").append(s));
    sb.append(" by=").append(j.requester());
    j.message().ifPresent(m -> sb.append(" message=").append(m.replace('\n', ' ')));
    return sb.toString();
  }
}
