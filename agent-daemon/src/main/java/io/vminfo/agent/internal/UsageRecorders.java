package io.vminfo.agent.internal;

import io.vminfo.agent.AgentConfig;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Chooses the usage recorder the agent runs. */
public final class UsageRecorders {
  private UsageRecorders() {}

  /** Everything a recorder needs from the agent. */
  public record Context(
      AgentConfig config,
      Path spoolDir,
      Path archiveDir,
      Path stateDir,
      String serverUuid,
      Optional<String> datacenterName,
      VmStore store,
      UsageProbe probe,
      Clock clock) {}

  public static UsageRecorderPort create(Context context) {
    // ---------------------------------------------------------------------------------------
    // PLUG-IN POINT (usage-recorder, issue 6 phase 2): build the recorder here from `context`
    // (sampler every config.usageInterval() over store.list() + probe, hourly writer into
    // spoolDir, sealer after config.usageGrace(), uploader to a LocalDirectoryStore(archiveDir)
    // or, for config.storageTarget() == MANTA, the Manta ObjectStore adapter built from
    // config.manta()), wrapped in a UsageRecorderPort adapter. Until then the agent runs without
    // usage recording and says so in /status, /usage (503) and the log.
    // ---------------------------------------------------------------------------------------
    return new NoUsageRecorder();
  }
}
