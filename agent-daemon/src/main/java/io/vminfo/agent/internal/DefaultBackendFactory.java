package io.vminfo.agent.internal;

import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.BackendContext;
import io.vminfo.agent.BackendFactory;
import io.vminfo.agent.HostBackend;
import io.vminfo.sysevent.BackendParts;
import io.vminfo.sysevent.BackendProvider;
import io.vminfo.sysevent.BackendRequest;
import io.vminfo.sysevent.BackendSetting;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's backends: the vminfo-sysevent {@link BackendProvider}s on the class path (SmartOS,
 * libvirt, the bundled example SmartOS host copied once to {@code <state_dir>/example-host}, and
 * any other registered one), chosen by {@link BackendDetector}. Every backend gets the persisted
 * server uuid as its fallback, so the VMs' {@code server_uuid} is the agent's whether or not the
 * host can tell its own, and the values of its settings from the config.
 */
public final class DefaultBackendFactory implements BackendFactory {
  private static final Logger log = LoggerFactory.getLogger(DefaultBackendFactory.class);

  @Override
  public HostBackend create(BackendContext context) throws IOException {
    AgentConfig config = context.config();
    BackendDetector.Decision decision =
        BackendDetector.decide(Providers.BACKENDS, config.backend(), context.hostRoot());
    BackendProvider provider = decision.provider();
    log.info("backend {}: {}", provider.name(), decision.reason());
    Map<String, String> settings = new LinkedHashMap<>();
    for (BackendSetting s : provider.settings()) {
      config.get(s.key(), String.class).ifPresent(v -> settings.put(s.key(), v));
    }
    BackendParts parts =
        provider.create(
            new BackendRequest(
                context.hostRoot(),
                context.stateDir(),
                ServerIdentity.persisted(context.stateDir()),
                config.actionsEnabled(),
                settings));
    return new HostBackend(parts.source(), parts.usageProbe(), parts.actions());
  }
}
