package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.agent.Job;
import io.vminfo.agent.JobState;
import io.vminfo.core.GuestAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobLogTest {
  static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");
  static final String VM = "2f0e6d3a-1b7c-4d5e-8f90-123456789abc";

  @TempDir Path dir;

  Job job(int n) {
    return Job.queued("job-" + n, VM, GuestAction.START, "uid:0", T0.plusSeconds(n));
  }

  @Test
  void replayKeepsEveryFieldAndMarksUnfinishedJobsAgentRestarted() throws Exception {
    Path file = dir.resolve("jobs.log");
    Job done;
    try (JobLog log = JobLog.open(file, 10, T0)) {
      Job a = job(1);
      log.record(a);
      done =
          a.running(T0.plusSeconds(2))
              .finished(
                  JobState.COMPLETE, T0.plusSeconds(3), Optional.empty(), Optional.of("running"));
      log.record(done);
      log.record(job(2));
      log.record(job(3).running(T0.plusSeconds(4)));
    }
    Instant restart = T0.plusSeconds(60);
    try (JobLog log = JobLog.open(file, 10, restart)) {
      assertThat(log.jobs()).extracting(Job::id).containsExactly("job-1", "job-2", "job-3");
      assertThat(log.jobs().get(0)).isEqualTo(done);
      for (Job j : log.jobs().subList(1, 3)) {
        assertThat(j.state()).isEqualTo(JobState.ERROR);
        assertThat(j.message()).contains("agent restarted");
        assertThat(j.finishedAt()).contains(restart);
      }
      assertThat(log.jobs().get(2).startedAt()).contains(T0.plusSeconds(4));
    }
    // the restart verdict is itself durable: a second restart changes nothing
    try (JobLog log = JobLog.open(file, 10, restart.plusSeconds(60))) {
      assertThat(log.jobs().get(1).finishedAt()).contains(restart);
    }
  }

  @Test
  void aTornLastLineAndForeignLinesAreSkippedNotFatal() throws Exception {
    Path file = dir.resolve("jobs.log");
    try (JobLog log = JobLog.open(file, 10, T0)) {
      log.record(
          job(1)
              .running(T0)
              .finished(JobState.COMPLETE, T0, Optional.empty(), Optional.of("running")));
    }
    Files.writeString(
        file,
        "not json\n{\"id\":\"x\"}\n{\"id\":\"job-9\",\"vm_uu",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    try (JobLog log = JobLog.open(file, 10, T0)) {
      assertThat(log.jobs()).extracting(Job::id).containsExactly("job-1");
      assertThat(log.skippedLines()).isEqualTo(3);
      log.record(job(2));
      assertThat(log.fileLines()).hasSize(2); // compacted at open: the junk is gone
    }
  }

  @Test
  void theFileIsCompactedAndKeepsOnlyTheLastFinishedJobs() throws Exception {
    Path file = dir.resolve("jobs.log");
    try (JobLog log = JobLog.open(file, 5, T0)) {
      Job pending = job(0);
      log.record(pending);
      for (int i = 1; i <= 200; i++) {
        Job j = job(i);
        log.record(j);
        log.record(j.running(T0).finished(JobState.ERROR, T0, Optional.of("x"), Optional.empty()));
        assertThat(log.fileLines().size()).isLessThanOrEqualTo(2 * 16 + 1);
      }
      assertThat(log.jobs())
          .extracting(Job::id)
          .containsExactly("job-0", "job-196", "job-197", "job-198", "job-199", "job-200");
    }
    try (JobLog log = JobLog.open(file, 5, T0)) {
      // job-0 was still queued: now Error, the newest change, kept within the bound of 5
      assertThat(log.jobs())
          .extracting(Job::id)
          .containsExactly("job-197", "job-198", "job-199", "job-200", "job-0");
      assertThat(log.jobs().get(4).message()).contains("agent restarted");
    }
    assertThat(Files.exists(dir.resolve("jobs.log.tmp"))).isFalse();
  }
}
