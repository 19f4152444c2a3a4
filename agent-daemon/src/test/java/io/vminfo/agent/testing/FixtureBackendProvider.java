package io.vminfo.agent.testing;

import io.vminfo.core.GuestActions;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.LoadResult;
import io.vminfo.core.ReloadQueue;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmSource;
import io.vminfo.sysevent.BackendParts;
import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.BackendRequest;
import io.vminfo.sysevent.BackendSetting;
import io.vminfo.sysevent.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A third host backend that exists only in this module's tests, registered by the test {@code
 * META-INF/services/io.vminfo.sysevent.BackendProvider} file and by nothing else: a host whose root
 * has {@code etc/fixture-host} (asked before SmartOS), serving {@code fixture.vms} VMs from {@link
 * TestVms}.
 */
public final class FixtureBackendProvider implements BackendProvider {
  public static final String MARKER = "etc/fixture-host";
  static final BackendSetting VMS =
      BackendSetting.text("fixture.vms", "1", "TESTING ONLY: VMs the fixture backend serves");

  @Override
  public String name() {
    return "fixture";
  }

  @Override
  public int detectionOrder() {
    return 50;
  }

  @Override
  public List<BackendSetting> settings() {
    return List.of(VMS);
  }

  @Override
  public Detection detect(Path hostRoot) {
    Path marker = hostRoot.resolve(MARKER);
    return Files.exists(marker)
        ? Detection.found(marker + " exists")
        : Detection.absent("no " + marker);
  }

  @Override
  public VmSource source(BackendRequest request) {
    int n = Integer.parseInt(request.setting(VMS));
    return new VmSource() {
      @Override
      public String name() {
        return "fixture";
      }

      @Override
      public HostIdentity hostIdentity() {
        return new HostIdentity(Optional.empty(), Optional.empty());
      }

      @Override
      public LoadResult loadAll() {
        return new LoadResult(
            java.util.stream.IntStream.rangeClosed(1, n).mapToObj(TestVms::vm).toList(), List.of());
      }

      @Override
      public void start(ReloadQueue queue) {}

      @Override
      public void close() {}
    };
  }

  @Override
  public BackendParts create(BackendRequest request) {
    return new BackendParts(source(request), UsageProbe.NONE, GuestActions.NONE);
  }
}
