package io.vminfo.agent;

import java.io.IOException;

/**
 * Makes the host backend the agent serves. The agent's default runs the vminfo-sysevent {@code
 * BackendProvider} that {@code backend} names, or with {@code auto} the first that recognises the
 * host root (SmartOS, libvirt, any other installed one), else the bundled example host (see {@link
 * Agent.Builder#backendFactory}); embedders and tests pass their own.
 */
@FunctionalInterface
public interface BackendFactory {
  /** Creates the backend; a clear {@link IOException} message if it cannot. */
  HostBackend create(BackendContext context) throws IOException;
}
