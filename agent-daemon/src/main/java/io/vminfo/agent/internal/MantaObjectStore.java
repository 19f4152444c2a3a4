package io.vminfo.agent.internal;

import io.vminfo.agent.AgentConfig;
import io.vminfo.manta.MantaBody;
import io.vminfo.manta.MantaClient;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaException;
import io.vminfo.manta.MantaKeyException;
import io.vminfo.manta.MantaPutResult;
import io.vminfo.manta.PutOptions;
import io.vminfo.usage.ObjectStore;
import io.vminfo.usage.ObjectStoreException;
import io.vminfo.usage.StoredObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage recorder's {@link ObjectStore} on Manta (manta-client): makes the parent directory (the
 * client remembers directories it made or saw, so an hour's directory costs one request), then
 * streams the sealed file with {@code content-md5} and {@code durability-level}, and returns
 * Manta's {@code Computed-MD5}. Failures become {@link ObjectStoreException}s: connection problems,
 * timeouts, 5xx, throttling and clock skew are {@code TRANSIENT} (the recorder retries with
 * backoff); other 4xx answers (bad credentials, unknown key or account, a path Manta refuses) and
 * malformed answers are {@code PERMANENT} (the file is parked and shown in {@code /status}).
 *
 * <p>The client is made on first use, not at start: a missing or unusable signing key must not keep
 * the agent from serving VMs; it fails the upload (permanently, with the reason) instead, and the
 * next sealed file tries again.
 */
public final class MantaObjectStore implements ObjectStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MantaObjectStore.class);

  /** Sealed usage files are gzip-compressed JSON lines. */
  static final String CONTENT_TYPE = "application/gzip";

  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          MantaException.CONNECT_FAILED,
          MantaException.CONNECTION_CLOSED,
          MantaException.TIMEOUT,
          MantaException.LOCAL_IO,
          MantaException.MD5_MISMATCH,
          "ThrottledError",
          "RequestExpired",
          "ServiceUnavailable",
          "InternalError",
          "RequestTimeout");

  private final MantaConfig config;
  private final int durabilityLevel;
  private final Function<MantaConfig, MantaClient> clients;
  private final Object lock = new Object();
  private MantaClient client;
  private boolean closed;

  MantaObjectStore(
      MantaConfig config, int durabilityLevel, Function<MantaConfig, MantaClient> clients) {
    this.config = Objects.requireNonNull(config, "config");
    if (durabilityLevel < 1 || durabilityLevel > 9) {
      throw new IllegalArgumentException("durability level must be 1..9, got " + durabilityLevel);
    }
    this.durabilityLevel = durabilityLevel;
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  /**
   * The store for {@code settings} (complete: the config loader checked url, user and key id).
   * {@code env} gives {@code SSH_AUTH_SOCK} and {@code HOME} for finding the key when {@code
   * key_path} is not set. Settings Manta's client refuses are an {@link IllegalArgumentException}
   * naming the key.
   */
  public static MantaObjectStore create(
      AgentConfig.MantaSettings settings,
      int durabilityLevel,
      Map<String, String> env,
      String userAgent) {
    return new MantaObjectStore(
        mantaConfig(settings, env, userAgent), durabilityLevel, MantaClient::create);
  }

  static MantaConfig mantaConfig(
      AgentConfig.MantaSettings s, Map<String, String> env, String userAgent) {
    MantaConfig.Builder b =
        MantaConfig.builder()
            .url(
                s.url()
                    .orElseThrow(
                        () -> new IllegalArgumentException("storage.manta.url is not set")))
            .user(
                s.user()
                    .orElseThrow(
                        () -> new IllegalArgumentException("storage.manta.user is not set")))
            .tlsInsecure(s.tlsInsecure())
            // One uploader thread: a small pool and one I/O thread are plenty.
            .maxConnections(2)
            .ioThreads(1)
            .connectTimeout(Duration.ofSeconds(10))
            .requestTimeout(Duration.ofSeconds(60))
            // An hour's file of a large host is a few MB; a put stalled beyond this is given up on
            // (and retried by the recorder) rather than blocking the uploader for the client's
            // hour.
            .operationTimeout(Duration.ofMinutes(10))
            .userAgent(userAgent);
    s.subuser().ifPresent(b::subuser);
    s.role()
        .ifPresent(
            r -> {
              List<String> roles = new ArrayList<>();
              for (String x : r.split(",")) {
                if (!x.isBlank()) {
                  roles.add(x.strip());
                }
              }
              b.roles(roles);
            });
    s.keyId().ifPresent(b::keyId);
    s.keyPath().ifPresent(b::keyPath);
    String sock = env.get("SSH_AUTH_SOCK");
    if (sock != null && !sock.isBlank()) {
      b.sshAgentSocket(Path.of(sock));
    }
    String home = env.get("HOME");
    if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
      b.sshDirectory(Path.of(home, ".ssh"));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("storage.manta: " + e.getMessage(), e);
    }
  }

  /**
   * Makes the client now, so a key problem is logged at start; failing is not fatal (the first
   * upload tries again and reports the reason).
   */
  public void connect() {
    try {
      client();
    } catch (ObjectStoreException e) {
      log.error(
          "Manta storage {}: {}; usage files stay in the spool and their uploads are parked"
              + " until this is fixed",
          describe(),
          e.getMessage());
    }
  }

  @Override
  public StoredObject put(Path localFile, String remotePath, String md5Base64)
      throws ObjectStoreException {
    Objects.requireNonNull(localFile, "localFile");
    Objects.requireNonNull(remotePath, "remotePath");
    Objects.requireNonNull(md5Base64, "md5Base64");
    MantaClient c = client();
    int slash = remotePath.lastIndexOf('/');
    if (slash <= 0) {
      throw ObjectStoreException.permanent("not a Manta object path: " + remotePath, null);
    }
    try {
      c.blocking().mkdirp(remotePath.substring(0, slash));
      MantaPutResult r =
          c.blocking()
              .put(
                  remotePath,
                  MantaBody.ofFile(localFile),
                  PutOptions.defaults()
                      .withContentType(CONTENT_TYPE)
                      .withContentMd5(md5Base64)
                      .withDurabilityLevel(durabilityLevel)
                      .withMkdirs()); // the client's directory cache may be stale
      return new StoredObject(remotePath, r.computedMd5(), r.size());
    } catch (MantaException e) {
      throw translate(remotePath, e);
    } catch (IllegalArgumentException e) {
      throw ObjectStoreException.permanent(
          "Manta refused " + remotePath + ": " + e.getMessage(), e);
    }
  }

  /** Whether retrying {@code e} later can succeed. */
  static ObjectStoreException.Kind kindOf(MantaException e) {
    int s = e.status();
    if (e.retryable() || TRANSIENT_CODES.contains(e.code()) || s >= 500 || s == 408 || s == 429) {
      return ObjectStoreException.Kind.TRANSIENT;
    }
    return ObjectStoreException.Kind.PERMANENT;
  }

  static ObjectStoreException translate(String remotePath, MantaException e) {
    String message =
        "Manta PUT "
            + remotePath
            + ": "
            + (e.status() > 0 ? e.status() + " " : "")
            + e.code()
            + ": "
            + e.getMessage()
            + e.requestId().map(id -> " (request " + id + ")").orElse("");
    return new ObjectStoreException(kindOf(e), message, e);
  }

  private MantaClient client() throws ObjectStoreException {
    synchronized (lock) {
      if (closed) {
        throw ObjectStoreException.retryable("the Manta store is closed", null);
      }
      if (client == null) {
        try {
          client = clients.apply(config);
        } catch (MantaKeyException | IllegalArgumentException e) {
          throw ObjectStoreException.permanent("cannot sign Manta requests: " + e.getMessage(), e);
        } catch (RuntimeException e) {
          throw ObjectStoreException.retryable("cannot create the Manta client: " + e, e);
        }
      }
      return client;
    }
  }

  @Override
  public String describe() {
    return "manta "
        + config.url()
        + " as "
        + config.user()
        + config.subuser().map(s -> "/" + s).orElse("");
  }

  @Override
  public void close() {
    MantaClient c;
    synchronized (lock) {
      closed = true;
      c = client;
      client = null;
    }
    if (c != null) {
      c.close();
    }
  }
}
