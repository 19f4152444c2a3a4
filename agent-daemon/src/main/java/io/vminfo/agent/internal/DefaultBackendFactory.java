package io.vminfo.agent.internal;

import io.vminfo.agent.BackendContext;
import io.vminfo.agent.BackendFactory;
import io.vminfo.agent.HostBackend;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own backends: SmartOS, libvirt, or the bundled example SmartOS host, chosen by
 * {@link BackendDetector}. They come from vminfo-sysevent.
 */
public final class DefaultBackendFactory implements BackendFactory {
  private static final Logger log = LoggerFactory.getLogger(DefaultBackendFactory.class);

  @Override
  public HostBackend create(BackendContext context) throws IOException {
    BackendDetector.Decision decision =
        BackendDetector.decide(context.config().backend(), context.hostRoot());
    log.info("backend {}: {}", decision.kind().name().toLowerCase(java.util.Locale.ROOT),
        decision.reason());
    // ---------------------------------------------------------------------------------------
    // PLUG-IN POINT (vminfo-sysevent, issue 6 phase 2): return the real backends here.
    //   SMARTOS -> the SmartOS VmSource + UsageProbe over context.hostRoot()
    //   LIBVIRT -> the libvirt VmSource + UsageProbe over context.hostRoot()
    //   EXAMPLE -> copy the bundled tree once: ExampleHost.copyTo(context.stateDir()
    //              .resolve("example-host")) (keep an existing copy, the user may have edited
    //              it), then the SmartOS backend over that directory as host root.
    // Until then there is no backend in this build, and the agent refuses to start rather than
    // serve made-up VMs.
    // ---------------------------------------------------------------------------------------
    throw new IOException("no " + decision.kind().name().toLowerCase(java.util.Locale.ROOT)
        + " backend in this build (" + decision.reason() + "): the host backends"
        + " (vminfo-sysevent) are not wired into the agent yet; an embedding application can"
        + " pass its own BackendFactory to Agent.builder(...).backendFactory(...)");
  }
}
