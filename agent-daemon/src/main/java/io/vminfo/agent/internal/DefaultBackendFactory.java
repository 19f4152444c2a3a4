package io.vminfo.agent.internal;

import io.vminfo.agent.BackendContext;
import io.vminfo.agent.BackendFactory;
import io.vminfo.agent.HostBackend;
import io.vminfo.sysevent.ExampleHost;
import io.vminfo.sysevent.LibvirtActions;
import io.vminfo.sysevent.LibvirtSource;
import io.vminfo.sysevent.SmartOsActions;
import io.vminfo.sysevent.LibvirtUsageProbe;
import io.vminfo.sysevent.SmartOsSource;
import io.vminfo.sysevent.SmartOsUsageProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own backends from vminfo-sysevent: SmartOS, libvirt, or the bundled example SmartOS
 * host (copied once to {@code <state_dir>/example-host}, see {@link ExampleHostCopy}), chosen by
 * {@link BackendDetector}. Every backend gets the persisted server uuid as its fallback, so the
 * VMs' {@code server_uuid} is the agent's whether or not the host can tell its own.
 */
public final class DefaultBackendFactory implements BackendFactory {
  private static final Logger log = LoggerFactory.getLogger(DefaultBackendFactory.class);

  @Override
  public HostBackend create(BackendContext context) throws IOException {
    BackendDetector.Decision decision =
        BackendDetector.decide(context.config().backend(), context.hostRoot());
    log.info("backend {}: {}", decision.kind().name().toLowerCase(Locale.ROOT), decision.reason());
    String fallbackUuid = ServerIdentity.persisted(context.stateDir());
    switch (decision.kind()) {
      case SMARTOS:
        return smartOs(context.hostRoot(), fallbackUuid);
      case LIBVIRT:
        return new HostBackend(
            LibvirtSource.builder(fallbackUuid).hostRoot(context.hostRoot()).build(),
            LibvirtUsageProbe.builder().hostRoot(context.hostRoot()).build(),
            libvirtActions(context));
      case EXAMPLE:
        Path root = ExampleHostCopy.ensure(context.stateDir());
        log.info("example host in {}: edit {} (zone states, polled every few seconds) or a zone's"
            + " XML in {} and watch GET /events", root, root.resolve(ExampleHost.ZONE_STATES),
            root.resolve("etc/zones"));
        return smartOs(root, fallbackUuid);
      default:
        throw new IllegalStateException("unknown backend " + decision.kind());
    }
  }

  private static HostBackend smartOs(Path root, String fallbackUuid) throws IOException {
    return new HostBackend(
        SmartOsSource.builder(fallbackUuid).hostRoot(root).build(),
        SmartOsUsageProbe.builder().hostRoot(root).build(),
        SmartOsActions.under(root));
  }

  /** Guest actions through libvirt's library or virsh, as {@code actions.libvirt_transport} says. */
  private static LibvirtActions libvirtActions(BackendContext context) throws IOException {
    String uri = context.config().actionsLibvirtUri();
    LibvirtActions actions = switch (context.config().actionsLibvirtTransport()) {
      case "library" -> LibvirtActions.viaLibrary(uri).orElseThrow(() -> new IOException(
          "actions.libvirt_transport is library, but libvirt.so.0 cannot be loaded"));
      case "virsh" -> LibvirtActions.viaVirsh(context.hostRoot(), uri);
      default -> LibvirtActions.best(context.hostRoot(), uri);
    };
    if (context.config().actionsEnabled()) {
      log.info("guest actions through {}", actions.transport());
    }
    return actions;
  }
}
