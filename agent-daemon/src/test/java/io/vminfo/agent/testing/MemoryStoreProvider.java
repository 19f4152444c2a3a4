package io.vminfo.agent.testing;

import io.vminfo.agent.ConfigKey;
import io.vminfo.agent.ConfigValues;
import io.vminfo.agent.StoreContext;
import io.vminfo.agent.StoreProvider;
import io.vminfo.agent.StoreTarget;
import io.vminfo.usage.ObjectStore;
import io.vminfo.usage.StoredObject;
import java.nio.file.Path;
import java.util.List;

/**
 * A usage store target that exists only in this module's tests, registered by the test {@code
 * META-INF/services/io.vminfo.agent.StoreProvider} file and by nothing else (the shape an S3 store
 * would have): {@code storage.target=memory} with its own key {@code storage.memory.bucket}, which
 * must not be {@code forbidden}.
 */
public final class MemoryStoreProvider implements StoreProvider {
  static final String BUCKET = "storage.memory.bucket";

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public List<ConfigKey> settings() {
    return List.of(
        ConfigKey.withDefault(
            BUCKET, ConfigKey.Type.TEXT, "usage", "TESTING ONLY: the memory store's bucket"));
  }

  @Override
  public void validate(ConfigValues config) {
    if (config.get(BUCKET, String.class).orElseThrow().equals("forbidden")) {
      throw new IllegalArgumentException(
          BUCKET + " (" + config.source(BUCKET) + "): the bucket \"forbidden\" is not allowed");
    }
  }

  @Override
  public StoreTarget create(StoreContext context) {
    String bucket = context.config().get(BUCKET, String.class).orElseThrow();
    return StoreTarget.of(
        new ObjectStore() {
          @Override
          public StoredObject put(Path localFile, String remotePath, String md5Base64) {
            return new StoredObject(remotePath, md5Base64, 0);
          }

          @Override
          public String describe() {
            return "memory:" + bucket;
          }
        });
  }
}
