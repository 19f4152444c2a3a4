package io.vminfo.usage.testing;

import io.vminfo.usage.LocalDirectoryStore;
import io.vminfo.usage.ObjectStore;
import io.vminfo.usage.ObjectStoreException;
import io.vminfo.usage.StoredObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An object store at the boundary of the test: a {@link LocalDirectoryStore} that can be down,
 * refuse paths permanently, or report a wrong MD5, and that keeps a log of every call.
 */
public final class FaultyStore implements ObjectStore {
  /** One call. */
  public record Put(String remotePath, String md5, boolean stored) {}

  private final LocalDirectoryStore delegate;
  private final List<Put> puts = new ArrayList<>();
  private volatile boolean down;
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final AtomicInteger wrongMd5 = new AtomicInteger();
  private final Map<String, Integer> stored = new ConcurrentHashMap<>();

  public FaultyStore(Path root) {
    this.delegate = new LocalDirectoryStore(root);
  }

  public LocalDirectoryStore local() {
    return delegate;
  }

  public void down(boolean down) {
    this.down = down;
  }

  /** Puts to a path ending with {@code suffix} fail permanently. */
  public void refuse(String suffix) {
    refused.add(suffix);
  }

  /** Puts to a path ending with {@code suffix} work again. */
  public void allow(String suffix) {
    refused.remove(suffix);
  }

  /** The next {@code n} puts store the object but report a wrong MD5. */
  public void wrongMd5(int n) {
    wrongMd5.set(n);
  }

  public synchronized List<Put> puts() {
    return List.copyOf(puts);
  }

  /** How many times each path was stored. */
  public Map<String, Integer> storedCounts() {
    return Map.copyOf(stored);
  }

  @Override
  public StoredObject put(Path localFile, String remotePath, String md5Base64)
      throws ObjectStoreException {
    if (down) {
      record(remotePath, md5Base64, false);
      throw ObjectStoreException.retryable("store unavailable (503)", null);
    }
    for (String s : refused) {
      if (remotePath.endsWith(s)) {
        record(remotePath, md5Base64, false);
        throw ObjectStoreException.permanent("403 AuthorizationFailed for " + remotePath, null);
      }
    }
    StoredObject o = delegate.put(localFile, remotePath, md5Base64);
    record(remotePath, md5Base64, true);
    stored.merge(remotePath, 1, Integer::sum);
    if (wrongMd5.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return new StoredObject(remotePath, "AAAAAAAAAAAAAAAAAAAAAA==", o.bytes());
    }
    return o;
  }

  private synchronized void record(String path, String md5, boolean ok) {
    puts.add(new Put(path, md5, ok));
  }
}
