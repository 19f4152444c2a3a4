package io.vminfo.sysevent;

import io.vminfo.core.GuestActions;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.LoadResult;
import io.vminfo.core.ReloadQueue;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A test-only backend registered by this module's test {@code META-INF/services} file and by no
 * other file: a host whose root has {@code etc/fixture-host}. It asks before SmartOS (order 50), so
 * a tree with both is a fixture host, and reads one setting.
 */
public final class FixtureBackendProvider implements BackendProvider {
  static final BackendSetting LABEL =
      BackendSetting.text("fixture.label", "plain", "what the fixture source calls itself");

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
    return List.of(LABEL);
  }

  @Override
  public Detection detect(Path hostRoot) {
    Path marker = hostRoot.resolve("etc/fixture-host");
    return Files.exists(marker)
        ? Detection.found(marker + " exists")
        : Detection.absent("no " + marker);
  }

  @Override
  public VmSource source(BackendRequest request) {
    String label = "fixture-" + request.setting(LABEL);
    return new VmSource() {
      @Override
      public String name() {
        return label;
      }

      @Override
      public HostIdentity hostIdentity() {
        return new HostIdentity(Optional.empty(), Optional.empty());
      }

      @Override
      public LoadResult loadAll() {
        return new LoadResult(List.of(), List.of());
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
