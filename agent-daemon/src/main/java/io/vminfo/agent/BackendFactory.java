package io.vminfo.agent;

import java.io.IOException;

/**
 * Makes the host backend the agent serves. The agent's default picks SmartOS, libvirt or the
 * bundled example host by looking at the host root (see {@link Agent.Builder#backendFactory});
 * embedders and tests pass their own.
 */
@FunctionalInterface
public interface BackendFactory {
  /** Creates the backend; a clear {@link IOException} message if it cannot. */
  HostBackend create(BackendContext context) throws IOException;
}
