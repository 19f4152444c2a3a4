package io.vminfo.sysevent;

import io.vminfo.core.VmSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A host backend, found with {@link java.util.ServiceLoader} (SPI): the agent ({@code backend} key)
 * and the CLI ({@code vminfo inspect --backend}) both select one through {@link Backends}, so its
 * name, its settings and how a host is recognised are written once, here. A new backend is one
 * class implementing this (public, with a public no-argument constructor) plus its name in {@code
 * META-INF/services/io.vminfo.sysevent.BackendProvider}.
 *
 * <p>Implementations are stateless and thread-safe; {@link #source} and {@link #create} make new
 * objects each call.
 */
public interface BackendProvider {
  /**
   * The name config and flags select it by: lower case letters, digits, {@code -} and {@code _}
   * (e.g. {@code smartos}); {@code auto} is reserved.
   */
  String name();

  /**
   * Where auto-detection asks this backend, lower first: SmartOS is 100 and libvirt 200, so a host
   * with both directories is a SmartOS host. Ties go by name.
   */
  int detectionOrder();

  /**
   * Whether and why the host tree at {@code hostRoot} has this backend. Must only look (no writes,
   * no processes) and never throw for a missing or unreadable tree: that is "absent".
   */
  Detection detect(Path hostRoot);

  /** The settings this backend reads from {@link BackendRequest#settings()}; none by default. */
  default List<BackendSetting> settings() {
    return List.of();
  }

  /** The VM source alone (what {@code vminfo inspect} loads). The caller closes it. */
  VmSource source(BackendRequest request) throws IOException;

  /**
   * What the agent serves: the source, the usage probe and the guest actions. A clear {@link
   * IOException} message if the backend cannot run here with these settings.
   */
  BackendParts create(BackendRequest request) throws IOException;
}
