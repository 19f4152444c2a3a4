package io.vminfo.sysevent.internal.providers;

import io.vminfo.core.VmSource;
import io.vminfo.sysevent.BackendParts;
import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.BackendRequest;
import io.vminfo.sysevent.Detection;
import io.vminfo.sysevent.ExampleHost;
import io.vminfo.sysevent.SmartOsSource;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code example}: the bundled example SmartOS host ({@link ExampleHost}), copied once to {@code
 * <state_dir>/example-host} ({@link ExampleHostCopy}) and served by the SmartOS backend; the host
 * root is not read. Never detected: it is what the agent falls back to when no other backend
 * recognises the host, or what {@code backend=example} asks for.
 */
public final class ExampleBackendProvider implements BackendProvider {
  public static final String NAME = "example";
  private static final Logger log = LoggerFactory.getLogger(ExampleBackendProvider.class);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int detectionOrder() {
    return Integer.MAX_VALUE;
  }

  @Override
  public Detection detect(Path hostRoot) {
    return Detection.absent("never detected, only named or fallen back to");
  }

  @Override
  public VmSource source(BackendRequest request) throws IOException {
    return SmartOsSource.builder(request.fallbackServerUuid())
        .hostRoot(ExampleHostCopy.ensure(request.stateDir()))
        .build();
  }

  @Override
  public BackendParts create(BackendRequest request) throws IOException {
    Path root = ExampleHostCopy.ensure(request.stateDir());
    log.info(
        "example host in {}: edit {} (zone states, polled every few seconds) or a zone's"
            + " XML in {} and watch GET /events",
        root,
        root.resolve(ExampleHost.ZONE_STATES),
        root.resolve("etc/zones"));
    return SmartOsBackendProvider.on(root, request.fallbackServerUuid());
  }
}
