package io.vminfo.sysevent.internal.providers;

import io.vminfo.core.VmSource;
import io.vminfo.sysevent.BackendParts;
import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.BackendRequest;
import io.vminfo.sysevent.Detection;
import io.vminfo.sysevent.SmartOsActions;
import io.vminfo.sysevent.SmartOsSource;
import io.vminfo.sysevent.SmartOsUsageProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code smartos}: a host with {@code <root>/etc/zones} (DESIGN section 6). */
public final class SmartOsBackendProvider implements BackendProvider {
  public static final String NAME = "smartos";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int detectionOrder() {
    return 100;
  }

  @Override
  public Detection detect(Path hostRoot) {
    Path zones = hostRoot.resolve("etc/zones");
    return Files.isDirectory(zones)
        ? Detection.found(zones + " exists")
        : Detection.absent("no " + zones);
  }

  @Override
  public VmSource source(BackendRequest request) throws IOException {
    return SmartOsSource.builder(request.fallbackServerUuid()).hostRoot(request.hostRoot()).build();
  }

  @Override
  public BackendParts create(BackendRequest request) throws IOException {
    return on(request.hostRoot(), request.fallbackServerUuid());
  }

  /** The SmartOS backend on the tree at {@code root} (also what the example host runs). */
  static BackendParts on(Path root, String fallbackServerUuid) throws IOException {
    return new BackendParts(
        SmartOsSource.builder(fallbackServerUuid).hostRoot(root).build(),
        SmartOsUsageProbe.builder().hostRoot(root).build(),
        SmartOsActions.under(root));
  }
}
