package io.vminfo.agent.internal;

import io.vminfo.agent.ConfigKey;
import io.vminfo.agent.StoreContext;
import io.vminfo.agent.StoreProvider;
import io.vminfo.agent.StoreTarget;
import io.vminfo.usage.LocalDirectoryStore;
import java.util.List;

/**
 * {@code storage.target=local}: usage-recorder's {@link LocalDirectoryStore} in the archive
 * directory ({@code storage.local.dir}, default {@code <state_dir>/archive}, resolved with the
 * other state directories by {@link StateDirectories}).
 */
public final class LocalStoreProvider implements StoreProvider {
  static final String DIR = "storage.local.dir";

  @Override
  public String name() {
    return "local";
  }

  @Override
  public List<ConfigKey> settings() {
    return List.of(
        ConfigKey.optional(
            DIR,
            ConfigKey.Type.PATH,
            "local object store directory (default <state_dir>/archive)"));
  }

  @Override
  public StoreTarget create(StoreContext context) {
    return StoreTarget.of(new LocalDirectoryStore(context.archiveDir()));
  }
}
