package io.vminfo.agent;

import io.vminfo.usage.ObjectStore;
import java.util.Objects;

/**
 * What a {@link StoreProvider} makes: the usage recorder's {@link ObjectStore}, what to run once
 * the recorder starts (e.g. connect in the background), and what to close when it stops.
 */
public record StoreTarget(ObjectStore objectStore, Runnable onStart, AutoCloseable resource) {
  public StoreTarget {
    Objects.requireNonNull(objectStore, "objectStore");
    Objects.requireNonNull(onStart, "onStart");
    Objects.requireNonNull(resource, "resource");
  }

  /** A store with nothing to start or close. */
  public static StoreTarget of(ObjectStore objectStore) {
    return new StoreTarget(objectStore, () -> {}, () -> {});
  }
}
