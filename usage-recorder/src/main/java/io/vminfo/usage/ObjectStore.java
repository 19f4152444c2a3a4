package io.vminfo.usage;

import java.nio.file.Path;

/**
 * Where sealed usage files go (SPI). {@link LocalDirectoryStore} is the default; the agent's Manta
 * adapter is another.
 *
 * <p>Contract: {@code put} stores the whole content of {@code localFile} at {@code remotePath}
 * (creating parent directories as needed), replacing any object already there, so that a reader
 * never sees a partial object. It sends {@code md5Base64} to the store where the protocol allows
 * (e.g. {@code Content-MD5}) and returns the MD5 the store computed over what it received. Every
 * blocking call inside must have a timeout. Failures are {@link ObjectStoreException}s whose {@link
 * ObjectStoreException.Kind} says whether a retry can help. Implementations must be safe to call
 * from one uploader thread at a time; they need not be thread-safe beyond that.
 */
public interface ObjectStore {
  StoredObject put(Path localFile, String remotePath, String md5Base64) throws ObjectStoreException;

  /** A short description for logs and status (never containing secrets). */
  default String describe() {
    return getClass().getSimpleName();
  }
}
