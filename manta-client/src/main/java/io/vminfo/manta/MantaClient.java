package io.vminfo.manta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vminfo.manta.internal.AgentSigner;
import io.vminfo.manta.internal.Authorizer;
import io.vminfo.manta.internal.BodySource;
import io.vminfo.manta.internal.ClientHandler;
import io.vminfo.manta.internal.ConnectionPool;
import io.vminfo.manta.internal.HttpExchange;
import io.vminfo.manta.internal.MantaPaths;
import io.vminfo.manta.internal.RequestSpec;
import io.vminfo.manta.internal.ResponseSink;
import io.vminfo.manta.internal.Sinks;
import io.vminfo.manta.internal.StreamSink;
import io.vminfo.manta.internal.UrlSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous Manta client on Netty. Every operation returns a {@link CompletableFuture}
 * completed on an I/O thread (do not block in its callbacks; use {@link #blocking()} for a
 * synchronous facade). Failures are {@link MantaException}s. Thread-safe; close it when done.
 *
 * <pre>{@code
 * try (MantaClient manta = MantaClient.create(MantaConfig.fromEnv())) {
 *     manta.blocking().mkdirp("~~/stor/usage/2024");
 *     MantaPutResult r = manta.blocking().put("~~/stor/usage/2024/h00.json.gz", MantaBody.ofFile(file),
 *             PutOptions.defaults().withComputedContentMd5());
 * }
 * }</pre>
 */
public final class MantaClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MantaClient.class);
  static final String DIR_TYPE = "application/json; type=directory";
  static final String LINK_TYPE = "application/json; type=link";
  private static final long MAX_LIST_PAGE_BYTES = 32L * 1024 * 1024;
  private static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
  private static final int MAX_KNOWN_DIRS = 10_000;
  private static final int DELETE_CONCURRENCY = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MantaConfig config;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final ConnectionPool pool;
  private final Authorizer authorizer;
  private final Optional<ExecutorService> signerThread;
  // Caller-supplied body streams are read, and downloads to files hashed and written, here:
  // never on an I/O thread (threads made on demand).
  private final ExecutorService bodyWorkers =
      Executors.newCachedThreadPool(new DefaultThreadFactory("manta-body", true));
  private final String hostHeader;
  private final Optional<String> roleHeader;
  private final Set<String> knownDirs =
      Collections.newSetFromMap(
          new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > MAX_KNOWN_DIRS;
            }
          });
  private final BlockingMantaClient blocking;

  private MantaClient(MantaConfig config, Optional<MantaSigner> signer) {
    this.config = config;
    this.authorizer = new Authorizer(signer, config.user(), config.subuser(), config.clock());
    this.signerThread =
        authorizer.blocking()
            ? Optional.of(
                Executors.newSingleThreadExecutor(new DefaultThreadFactory("manta-signer", true)))
            : Optional.empty();
    this.ownsGroup = config.eventLoopGroup().isEmpty();
    this.group =
        config
            .eventLoopGroup()
            .orElseGet(
                () ->
                    new NioEventLoopGroup(
                        config.ioThreads(), new DefaultThreadFactory("manta-io", true)));
    String host = config.url().getHost();
    boolean tls = config.url().getScheme().equalsIgnoreCase("https");
    int port = config.url().getPort() > 0 ? config.url().getPort() : tls ? 443 : 80;
    this.hostHeader = config.url().getPort() > 0 ? host + ":" + port : host;
    this.roleHeader =
        config.roles().isEmpty() ? Optional.empty() : Optional.of(String.join(",", config.roles()));
    SslContext ssl = tls ? sslContext(config) : null;
    long idleMillis = config.idleTimeout().toMillis();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.AUTO_READ, false)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      SslHandler h = ssl.newHandler(ch.alloc(), host, port);
                      h.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
                      if (!config.tlsInsecure()) {
                        SSLEngine engine = h.engine();
                        SSLParameters p = engine.getSSLParameters();
                        p.setEndpointIdentificationAlgorithm("HTTPS");
                        engine.setSSLParameters(p);
                      }
                      ch.pipeline().addLast(h);
                    }
                    ch.pipeline().addLast(new HttpClientCodec(4096, 64 * 1024, 128 * 1024));
                    ch.pipeline().addLast(new ChunkedWriteHandler());
                    ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                    ch.pipeline().addLast(new ClientHandler());
                  }
                });
    this.pool =
        new ConnectionPool(
            bootstrap,
            host,
            port,
            config.maxConnections(),
            config.requestTimeout().plus(config.connectTimeout()),
            group);
    this.blocking = new BlockingMantaClient(this, config.operationTimeout());
  }

  /** Creates a client, resolving its signing key as {@link MantaConfig} describes. */
  public static MantaClient create(MantaConfig config) {
    return new MantaClient(config, resolveSigner(config));
  }

  private static Optional<MantaSigner> resolveSigner(MantaConfig config) {
    if (config.anonymous()) {
      return Optional.empty();
    }
    if (config.signer().isPresent()) {
      return config.signer();
    }
    if (config.keyPath().isPresent()) {
      MantaKey key = MantaKeys.load(config.keyPath().get());
      config
          .keyId()
          .ifPresent(
              id -> {
                if (!key.matches(id)) {
                  throw new MantaKeyException(
                      "key "
                          + config.keyPath().get()
                          + " has fingerprint "
                          + key.md5Fingerprint()
                          + " / "
                          + key.sha256Fingerprint()
                          + ", not MANTA_KEY_ID "
                          + id);
                }
              });
      return Optional.of(MantaSigner.of(key));
    }
    String keyId = config.keyId().orElseThrow();
    if (config.sshAgentSocket().isPresent()) {
      try {
        Optional<MantaSigner> agent =
            AgentSigner.find(config.sshAgentSocket().get(), keyId, Duration.ofSeconds(5));
        if (agent.isPresent()) {
          LOG.debug("signing with ssh-agent key {}", keyId);
          return agent;
        }
      } catch (MantaKeyException e) {
        LOG.warn("ssh-agent unusable ({}); looking for key {} in files", e.getMessage(), keyId);
      }
    }
    Optional<Path> dir = config.sshDirectory();
    return Optional.of(
        MantaSigner.of(
            dir.flatMap(d -> MantaKeys.find(d, keyId))
                .orElseThrow(
                    () ->
                        new MantaKeyException(
                            "no key with fingerprint "
                                + keyId
                                + " in the ssh-agent or in "
                                + dir.map(Path::toString).orElse("~/.ssh")
                                + "; set MANTA_KEY_PATH or add the key with ssh-add"))));
  }

  private static SslContext sslContext(MantaConfig config) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient();
      if (config.tlsInsecure()) {
        LOG.warn("TLS certificate checks are off for {} (MANTA_TLS_INSECURE)", config.url());
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public MantaConfig config() {
    return config;
  }

  /** The synchronous facade: same operations, each bounded by the operation timeout. */
  public BlockingMantaClient blocking() {
    return blocking;
  }

  // ---------------------------------------------------------------- objects

  public CompletableFuture<MantaPutResult> put(String path, MantaBody body) {
    return put(path, body, PutOptions.defaults());
  }

  /**
   * Writes an object. The body is streamed; its MD5 is computed on the way and checked against
   * Manta's {@code Computed-MD5}. With {@link PutOptions#mkdirs()} missing parents are created.
   */
  public CompletableFuture<MantaPutResult> put(String path, MantaBody body, PutOptions options) {
    String p = normalize(path);
    BodySource src = body.source();
    Optional<String> md5;
    try {
      md5 =
          options.contentMd5().isPresent()
              ? options.contentMd5()
              : options.computeContentMd5() ? src.precomputeMd5() : Optional.empty();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new MantaException(
              0,
              MantaException.LOCAL_IO,
              "cannot read " + src.describe() + ": " + e.getMessage(),
              Optional.empty(),
              false,
              e));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", options.contentType().orElse("application/octet-stream"));
    md5.ifPresent(m -> headers.put("content-md5", m));
    options.durabilityLevel().ifPresent(d -> headers.put("durability-level", Integer.toString(d)));
    options.ifMatch().ifPresent(e -> headers.put("if-match", e));
    headers.putAll(options.metadata());
    if (options.mkdirs() && !src.replayable()) {
      // A one-shot stream cannot be sent again after a DirectoryDoesNotExist: parents first.
      return mkdirp(MantaPaths.parent(p)).thenCompose(v -> putOnce(p, src, headers));
    }
    CompletableFuture<MantaPutResult> first = putOnce(p, src, headers);
    if (!options.mkdirs()) {
      return first;
    }
    return first
        .handle(
            (r, e) -> {
              MantaException me = e == null ? null : unwrap(e);
              if (me != null && "DirectoryDoesNotExist".equals(me.code()) && src.replayable()) {
                forgetDirectory(MantaPaths.parent(p));
                return mkdirp(MantaPaths.parent(p)).thenCompose(v -> putOnce(p, src, headers));
              }
              return e == null
                  ? CompletableFuture.completedFuture(r)
                  : CompletableFuture.<MantaPutResult>failedFuture(me);
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<MantaPutResult> putOnce(
      String p, BodySource src, Map<String, String> headers) {
    return execute(
        new Op<MantaPutResult>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            Map<String, String> h = new LinkedHashMap<>(auth);
            h.putAll(headers);
            return new RequestSpec(HttpMethod.PUT, MantaPaths.encode(p), h, src, true);
          }

          @Override
          boolean replayable() {
            return src.replayable();
          }

          @Override
          MantaPutResult onSuccess(HttpExchange.Response<?> r) {
            String computed = r.headers().get("computed-md5");
            String requestId = requestId(r.headers());
            if (computed == null) {
              throw new MantaException(
                  r.status(),
                  MantaException.BAD_RESPONSE,
                  "Manta did not return Computed-MD5 for " + p,
                  Optional.of(requestId),
                  false,
                  null);
            }
            if (r.sentMd5().isPresent() && !r.sentMd5().get().equals(computed)) {
              throw new MantaException(
                  r.status(),
                  MantaException.MD5_MISMATCH,
                  "Manta stored "
                      + p
                      + " with MD5 "
                      + computed
                      + " but this client sent bytes with MD5 "
                      + r.sentMd5().get(),
                  Optional.of(requestId),
                  false,
                  null);
            }
            return new MantaPutResult(
                p,
                Optional.ofNullable(r.headers().get("etag")).orElse(""),
                computed,
                r.bytesSent(),
                lastModified(r.headers()),
                requestId);
          }
        });
  }

  /**
   * HEAD of an object or directory: exactly one request, so existence checks stay cheap. A HEAD
   * answer has no body, so a refusal is named only {@code HTTP<status>}; use {@link #info} where
   * the reason matters to a person.
   */
  public CompletableFuture<MantaObjectInfo> head(String path) {
    return headOnce(normalize(path));
  }

  /**
   * Like {@link #head}, but a refusal without a name (a 4xx HEAD answer) is asked again as a
   * one-byte GET to learn Manta's code and message ({@code KeyDoesNotExist}, {@code
   * ResourceNotFound}, ...), as node-manta's tools report them. Costs a second request only when
   * the HEAD fails.
   */
  public CompletableFuture<MantaObjectInfo> info(String path) {
    String p = normalize(path);
    return headOnce(p)
        .handle(
            (info, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(info);
              }
              MantaException me = unwrap(e);
              if (!HeadErrors.unnamed(me)) {
                return CompletableFuture.<MantaObjectInfo>failedFuture(me);
              }
              return getBytes(p, GetOptions.range(0, 0), 64 * 1024)
                  .handle(
                      (bytes, ge) ->
                          HeadErrors.<MantaObjectInfo>named(me, ge == null ? null : unwrap(ge)))
                  .thenCompose(f -> f);
            })
        .thenCompose(f -> f);
  }

  /**
   * Replaces the metadata of an object or directory, keeping its content and etag ({@code PUT
   * ?metadata=true}). {@code headers} are {@code m-*} metadata plus, optionally, {@code
   * content-type}, {@code role-tag}, {@code cache-control}; metadata not given is removed.
   */
  public CompletableFuture<Void> putMetadata(String path, Map<String, String> headers) {
    String p = normalize(path);
    Map<String, String> h = MetadataHeaders.check(headers);
    return execute(
        new Op<Void>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            Map<String, String> all = new LinkedHashMap<>(auth);
            all.putAll(h);
            return new RequestSpec(
                HttpMethod.PUT, MantaPaths.encode(p) + "?metadata=true", all, null, false);
          }

          @Override
          Void onSuccess(HttpExchange.Response<?> r) {
            return null;
          }
        });
  }

  /**
   * A pre-signed URL for {@code path}, good for {@code methods} (e.g. {@code List.of("GET")}) until
   * {@code expires}, usable without a key (node-manta's {@code msign}). Signs with the client's
   * key, which may block on an ssh-agent.
   */
  public java.net.URI signedUrl(String path, List<String> methods, Instant expires) {
    MantaSigner s =
        authorizer
            .signer()
            .orElseThrow(() -> new IllegalStateException("an anonymous client cannot sign URLs"));
    return UrlSigner.sign(
        config.url(), hostHeader, s, authorizer.keyId(), methods, normalize(path), expires);
  }

  private CompletableFuture<MantaObjectInfo> headOnce(String p) {
    return execute(
        new Op<MantaObjectInfo>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            return new RequestSpec(HttpMethod.HEAD, MantaPaths.encode(p), auth, null, false);
          }

          @Override
          MantaObjectInfo onSuccess(HttpExchange.Response<?> r) {
            return info(p, r.headers());
          }
        });
  }

  /**
   * Downloads an object into {@code target} (atomically: complete and MD5-checked, or not at all).
   */
  public CompletableFuture<MantaObjectInfo> getToFile(
      String path, Path target, GetOptions options) {
    String p = normalize(path);
    return execute(
        new Op<MantaObjectInfo>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            return getSpec(p, auth, options);
          }

          @Override
          ResponseSink<?> sink() {
            return Sinks.file(target, !options.isRange(), bodyWorkers);
          }

          @Override
          MantaObjectInfo onSuccess(HttpExchange.Response<?> r) {
            return info(p, r.headers());
          }
        });
  }

  /** Reads a whole object into memory; fails beyond 64 MiB (use {@link #getStream} or a file). */
  public CompletableFuture<byte[]> getBytes(String path) {
    return getBytes(path, GetOptions.defaults(), DEFAULT_MAX_BYTES);
  }

  public CompletableFuture<byte[]> getBytes(String path, GetOptions options, long maxBytes) {
    String p = normalize(path);
    return execute(
        new Op<byte[]>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            return getSpec(p, auth, options);
          }

          @Override
          ResponseSink<?> sink() {
            return Sinks.buffer(maxBytes);
          }

          @Override
          byte[] onSuccess(HttpExchange.Response<?> r) {
            byte[] data = (byte[]) r.body();
            String expected = r.headers().get("content-md5");
            if (!options.isRange() && expected != null && !expected.equals(md5(data))) {
              throw new MantaException(
                  r.status(),
                  MantaException.MD5_MISMATCH,
                  "received bytes of " + p + " do not have the object's MD5 " + expected,
                  Optional.of(requestId(r.headers())),
                  false,
                  null);
            }
            return data;
          }
        });
  }

  /**
   * Opens an object as a stream; completes when the headers arrive. Memory stays bounded whatever
   * the object's size.
   */
  public CompletableFuture<MantaObjectStream> getStream(String path, GetOptions options) {
    String p = normalize(path);
    long readTimeout = config.requestTimeout().multipliedBy(2).toMillis();
    return execute(
        new Op<MantaObjectStream>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            return getSpec(p, auth, options);
          }

          @Override
          ResponseSink<?> sink() {
            return new StreamSink(readTimeout, !options.isRange());
          }

          @Override
          Optional<CompletableFuture<MantaObjectStream>> early(ResponseSink<?> sink) {
            StreamSink s = (StreamSink) sink;
            return Optional.of(
                s.headers().thenApply(res -> new MantaObjectStream(info(p, res.headers()), s)));
          }

          @Override
          MantaObjectStream onSuccess(HttpExchange.Response<?> r) {
            throw new IllegalStateException("delivered early");
          }
        });
  }

  private RequestSpec getSpec(String p, Map<String, String> auth, GetOptions options) {
    Map<String, String> h = new LinkedHashMap<>(auth);
    if (options.isRange()) {
      h.put("range", options.rangeHeader());
    }
    return new RequestSpec(HttpMethod.GET, MantaPaths.encode(p), h, null, false);
  }

  /** Deletes an object or an empty directory. */
  public CompletableFuture<Void> delete(String path) {
    String p = normalize(path);
    return execute(
        new Op<Void>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            return new RequestSpec(HttpMethod.DELETE, MantaPaths.encode(p), auth, null, false);
          }

          @Override
          Void onSuccess(HttpExchange.Response<?> r) {
            forgetDirectory(p);
            return null;
          }
        });
  }

  /** Deletes an object, or a directory with everything below it. A path already gone is fine. */
  public CompletableFuture<Void> deleteRecursive(String path) {
    String p = normalize(path);
    if (MantaPaths.isTop(p)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("refusing to delete top directory " + p));
    }
    return head(p)
        .handle(
            (info, e) -> {
              if (e != null) {
                MantaException me = unwrap(e);
                return me.isNotFound()
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(me);
              }
              return info.directory() ? deleteTree(p, 0) : ignoreNotFound(delete(p));
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<Void> deleteTree(String dir, int attempt) {
    return listAll(dir)
        .thenCompose(
            entries -> {
              List<String> objects = new ArrayList<>();
              List<String> dirs = new ArrayList<>();
              for (MantaEntry e : entries) {
                (e.directory() ? dirs : objects).add(dir + "/" + e.name());
              }
              CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
              for (String d : dirs) {
                chain = chain.thenCompose(v -> deleteTree(d, 0));
              }
              return chain.thenCompose(v -> deleteAll(objects));
            })
        .thenCompose(
            v ->
                delete(dir)
                    .handle(
                        (ok, e) -> {
                          if (e == null) {
                            return CompletableFuture.<Void>completedFuture(null);
                          }
                          MantaException me = unwrap(e);
                          if (me.isNotFound()) {
                            return CompletableFuture.<Void>completedFuture(null);
                          }
                          if ("DirectoryNotEmpty".equals(me.code()) && attempt < 3) {
                            return deleteTree(dir, attempt + 1); // something was added meanwhile
                          }
                          return CompletableFuture.<Void>failedFuture(me);
                        })
                    .thenCompose(f -> f));
  }

  private CompletableFuture<Void> deleteAll(List<String> paths) {
    if (paths.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Iterator<String> it = paths.iterator();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < DELETE_CONCURRENCY; i++) {
      lanes.add(deleteLane(it));
    }
    return CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0]));
  }

  private CompletableFuture<Void> deleteLane(Iterator<String> it) {
    String next;
    synchronized (it) {
      if (!it.hasNext()) {
        return CompletableFuture.completedFuture(null);
      }
      next = it.next();
    }
    return ignoreNotFound(delete(next)).thenCompose(v -> deleteLane(it));
  }

  private static CompletableFuture<Void> ignoreNotFound(CompletableFuture<Void> f) {
    return f.handle(
        (v, e) -> {
          if (e != null && !unwrap(e).isNotFound()) {
            throw unwrap(e);
          }
          return null;
        });
  }

  /**
   * Creates a snaplink: {@code linkPath} becomes a new name for the object at {@code sourcePath}.
   */
  public CompletableFuture<Void> putSnapLink(String linkPath, String sourcePath) {
    String p = normalize(linkPath);
    String source = normalize(sourcePath);
    return execute(
        new Op<Void>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            Map<String, String> h = new LinkedHashMap<>(auth);
            h.put("content-type", LINK_TYPE);
            h.put("location", MantaPaths.encode(source));
            return new RequestSpec(HttpMethod.PUT, MantaPaths.encode(p), h, null, false);
          }

          @Override
          Void onSuccess(HttpExchange.Response<?> r) {
            return null;
          }
        });
  }

  // ---------------------------------------------------------------- directories

  /** Creates a directory (or updates its metadata); its parent must exist. */
  public CompletableFuture<Void> putDirectory(String path) {
    String p = normalize(path);
    return execute(
        new Op<Void>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            Map<String, String> h = new LinkedHashMap<>(auth);
            h.put("content-type", DIR_TYPE);
            return new RequestSpec(HttpMethod.PUT, MantaPaths.encode(p), h, null, false);
          }

          @Override
          Void onSuccess(HttpExchange.Response<?> r) {
            rememberDirectory(p);
            return null;
          }
        });
  }

  /**
   * Makes a directory and its missing ancestors. Tries the directory itself first and walks up only
   * on {@code DirectoryDoesNotExist}, so existing ancestors cost nothing; directories made or seen
   * are remembered (up to 10,000), so repeated calls cost no request.
   */
  public CompletableFuture<Void> mkdirp(String path) {
    String p = normalize(path);
    if (MantaPaths.isTop(p) || knowsDirectory(p)) {
      return CompletableFuture.completedFuture(null);
    }
    return putDirectory(p)
        .handle(
            (v, e) -> {
              if (e == null) {
                return CompletableFuture.<Void>completedFuture(null);
              }
              MantaException me = unwrap(e);
              if ("DirectoryDoesNotExist".equals(me.code())) {
                forgetDirectory(MantaPaths.parent(p));
                return mkdirp(MantaPaths.parent(p)).thenCompose(x -> putDirectory(p));
              }
              return CompletableFuture.<Void>failedFuture(me);
            })
        .thenCompose(f -> f);
  }

  /** One page of a listing; see {@link #list(String, ListOptions)} for all entries. */
  public CompletableFuture<MantaListPage> listPage(String dir, ListOptions options) {
    String p = normalize(dir);
    StringBuilder uri =
        new StringBuilder(MantaPaths.encode(p)).append("?limit=").append(options.limit());
    options.marker().ifPresent(m -> uri.append("&marker=").append(MantaPaths.encodeQueryValue(m)));
    if (options.byMtime()) {
      uri.append("&sort=mtime");
    }
    if (options.reverse()) {
      uri.append("&sort_order=reverse");
    }
    return execute(
        new Op<MantaListPage>() {
          @Override
          RequestSpec spec(Map<String, String> auth) {
            return new RequestSpec(HttpMethod.GET, uri.toString(), auth, null, false);
          }

          @Override
          ResponseSink<?> sink() {
            return new DirectorySink(p);
          }

          @Override
          MantaListPage onSuccess(HttpExchange.Response<?> r) {
            rememberDirectory(p);
            long size = parseLong(r.headers().get("result-set-size"), -1);
            return new MantaListPage(parseEntries((byte[]) r.body(), requestId(r.headers())), size);
          }
        });
  }

  /** All entries of a directory, fetched page by page. */
  public CompletableFuture<List<MantaEntry>> listAll(String dir) {
    List<MantaEntry> all = new ArrayList<>();
    return collect(normalize(dir), ListOptions.defaults(), all, new HashSet<>())
        .thenApply(v -> all);
  }

  private CompletableFuture<Void> collect(
      String dir, ListOptions options, List<MantaEntry> into, Set<String> seenAtMarker) {
    return listPage(dir, options)
        .thenCompose(
            page -> {
              Optional<ListOptions> next = Paging.next(options, page, into, seenAtMarker);
              return next.isPresent()
                  ? collect(dir, next.get(), into, seenAtMarker)
                  : CompletableFuture.completedFuture(null);
            });
  }

  /** A lazy stream over a directory: pages of up to 1024 are fetched as the stream is consumed. */
  public Stream<MantaEntry> list(String dir) {
    return list(dir, ListOptions.defaults());
  }

  public Stream<MantaEntry> list(String dir, ListOptions options) {
    String p = normalize(dir);
    Iterator<MantaEntry> it =
        new Iterator<>() {
          private Optional<ListOptions> next = Optional.of(options);
          private final Set<String> seenAtMarker = new HashSet<>();
          private Iterator<MantaEntry> current = Collections.emptyIterator();

          @Override
          public boolean hasNext() {
            while (!current.hasNext() && next.isPresent()) {
              ListOptions o = next.get();
              MantaListPage page = blocking.await(listPage(p, o));
              List<MantaEntry> fresh = new ArrayList<>();
              next = Paging.next(o, page, fresh, seenAtMarker);
              current = fresh.iterator();
            }
            return current.hasNext();
          }

          @Override
          public MantaEntry next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return current.next();
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  // ---------------------------------------------------------------- plumbing

  /** One kind of request: how to build it per attempt and what a success means. */
  private abstract static class Op<T> {
    abstract RequestSpec spec(Map<String, String> auth);

    ResponseSink<?> sink() {
      return Sinks.discard();
    }

    boolean replayable() {
      return true;
    }

    Optional<CompletableFuture<T>> early(ResponseSink<?> sink) {
      return Optional.empty();
    }

    abstract T onSuccess(HttpExchange.Response<?> r);
  }

  private <T> CompletableFuture<T> execute(Op<T> op) {
    CompletableFuture<T> outer = new CompletableFuture<>();
    attempt(op, 1, outer);
    return outer;
  }

  private <T> void attempt(Op<T> op, int n, CompletableFuture<T> outer) {
    if (signerThread.isPresent()) {
      try {
        signerThread.get().execute(() -> send(op, n, outer));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        outer.completeExceptionally(new IllegalStateException("client is closed"));
      }
    } else {
      send(op, n, outer);
    }
  }

  private <T> void send(Op<T> op, int n, CompletableFuture<T> outer) {
    RequestSpec spec;
    ResponseSink<?> sink;
    try {
      Authorizer.Signed signed = authorizer.now();
      Map<String, String> auth = new LinkedHashMap<>();
      auth.put("host", hostHeader);
      auth.put("date", signed.date());
      signed.authorization().ifPresent(a -> auth.put("authorization", a));
      roleHeader.ifPresent(r -> auth.put("role", r));
      auth.put("user-agent", config.userAgent());
      spec = op.spec(auth);
      sink = op.sink();
    } catch (RuntimeException e) {
      outer.completeExceptionally(e);
      return;
    }
    op.early(sink)
        .ifPresent(
            f ->
                f.whenComplete(
                    (v, e) -> {
                      if (e == null) {
                        outer.complete(v);
                      }
                    }));
    HttpExchange[] exchange = new HttpExchange[1];
    pool.acquire()
        .thenCompose(
            ch -> {
              exchange[0] =
                  new HttpExchange(
                      spec,
                      sink,
                      pool,
                      config.requestTimeout().toMillis(),
                      config.expectContinueTimeout().toMillis(),
                      config.expectContinueThreshold(),
                      bodyWorkers);
              exchange[0].start(ch);
              return exchange[0].<Object>result();
            })
        .whenComplete(
            (r, e) -> {
              if (outer.isDone()) {
                return; // delivered early (stream): later errors travel through the stream
              }
              MantaException failure;
              long retryAfter = -1;
              if (e == null && (r.status() >= 200 && r.status() < 300 || r.status() == 304)) {
                try {
                  outer.complete(op.onSuccess(r));
                  return;
                } catch (MantaException me) {
                  failure = me;
                } catch (RuntimeException re) {
                  outer.completeExceptionally(re);
                  return;
                }
              } else if (e == null) {
                failure = errorOf(r);
                retryAfter = retryAfterMillis(r.headers());
              } else {
                failure = unwrap(e);
              }
              boolean bodyOk = op.replayable() || spec.body() == null || exchange[0] == null;
              if (failure.retryable()
                  && n < config.retryPolicy().maxAttempts()
                  && bodyOk
                  && sink.retryable()) {
                Duration d =
                    config
                        .retryPolicy()
                        .delayAfter(n, ThreadLocalRandom.current().nextDouble(), retryAfter);
                LOG.debug(
                    "retrying {} {} in {} ms after {}",
                    spec.method(),
                    spec.uri(),
                    d.toMillis(),
                    failure.toString());
                try {
                  group.schedule(
                      () -> attempt(op, n + 1, outer), d.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                  outer.completeExceptionally(failure);
                }
              } else {
                outer.completeExceptionally(failure);
              }
            });
  }

  private static MantaException errorOf(HttpExchange.Response<?> r) {
    String code = "HTTP" + r.status();
    String message = "Manta answered " + r.status();
    byte[] body = r.errorBody();
    if (body != null && body.length > 0) {
      try {
        JsonNode n = JSON.readTree(body);
        if (n.hasNonNull("code")) {
          code = n.get("code").asText();
        }
        if (n.hasNonNull("message")) {
          message = n.get("message").asText();
        }
      } catch (IOException | RuntimeException e) {
        message =
            message
                + ": "
                + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
      }
    }
    int s = r.status();
    boolean retryable =
        s == 500 || s == 502 || s == 503 || s == 504 || "ThrottledError".equals(code);
    return new MantaException(
        s, code, message, Optional.ofNullable(r.headers().get("x-request-id")), retryable, null);
  }

  private long retryAfterMillis(HttpHeaders h) {
    String v = h.get("retry-after");
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.trim()) * 1000;
    } catch (NumberFormatException e) {
      try {
        Instant when =
            ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Math.max(0, Duration.between(config.clock().instant(), when).toMillis());
      } catch (RuntimeException ignored) {
        return -1;
      }
    }
  }

  static MantaException unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof MantaException) {
      return (MantaException) t;
    }
    if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
      throw (RuntimeException) t;
    }
    return new MantaException(
        0,
        MantaException.CONNECTION_CLOSED,
        String.valueOf(t.getMessage()),
        Optional.empty(),
        false,
        t);
  }

  private String normalize(String path) {
    return MantaPaths.normalize(path, config.user());
  }

  private boolean knowsDirectory(String p) {
    synchronized (knownDirs) {
      return knownDirs.contains(p);
    }
  }

  private void rememberDirectory(String p) {
    synchronized (knownDirs) {
      knownDirs.add(p);
    }
  }

  private void forgetDirectory(String p) {
    synchronized (knownDirs) {
      knownDirs.removeIf(d -> d.equals(p) || d.startsWith(p + "/"));
    }
  }

  private static MantaObjectInfo info(String path, HttpHeaders h) {
    String type = Optional.ofNullable(h.get("content-type")).orElse("application/octet-stream");
    boolean dir = type.toLowerCase(Locale.ROOT).contains("type=directory");
    Map<String, String> meta = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : h) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (k.startsWith("m-")) {
        meta.put(k, e.getValue());
      }
    }
    long size =
        dir ? parseLong(h.get("result-set-size"), 0) : parseLong(h.get("content-length"), 0);
    String dl = h.get("durability-level");
    return new MantaObjectInfo(
        path,
        dir,
        size,
        Optional.ofNullable(h.get("etag")),
        type,
        Optional.ofNullable(h.get("content-md5")),
        lastModified(h),
        dl == null ? OptionalInt.empty() : OptionalInt.of((int) parseLong(dl, 0)),
        meta,
        requestId(h));
  }

  private static Optional<Instant> lastModified(HttpHeaders h) {
    String v = h.get("last-modified");
    if (v == null) {
      return Optional.empty();
    }
    // Netty's HTTP date parser: every PUT and HEAD answer carries one, and java.time's
    // RFC 1123 parser was a visible share of the I/O threads' time in small-PUT profiles.
    java.util.Date d = io.netty.handler.codec.DateFormatter.parseHttpDate(v.trim());
    return d == null ? Optional.empty() : Optional.of(d.toInstant());
  }

  private static String requestId(HttpHeaders h) {
    return Optional.ofNullable(h.get("x-request-id")).orElse("");
  }

  private static long parseLong(String v, long dflt) {
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  private static String md5(byte[] data) {
    try {
      return java.util.Base64.getEncoder()
          .encodeToString(java.security.MessageDigest.getInstance("MD5").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<MantaEntry> parseEntries(byte[] body, String requestId) {
    List<MantaEntry> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        if (i > start) {
          out.add(parseEntry(body, start, i - start, requestId));
        }
        start = i + 1;
      }
    }
    return out;
  }

  private static MantaEntry parseEntry(byte[] body, int off, int len, String requestId) {
    try {
      JsonNode n = JSON.readTree(body, off, len);
      if (!n.hasNonNull("name") || !n.hasNonNull("type")) {
        throw new IOException("entry without name or type");
      }
      boolean dir = "directory".equals(n.get("type").asText());
      return new MantaEntry(
          n.get("name").asText(),
          dir,
          n.path("size").asLong(0),
          text(n, "etag"),
          text(n, "contentType"),
          text(n, "contentMD5"),
          Instant.parse(n.path("mtime").asText("1970-01-01T00:00:00Z")),
          n.hasNonNull("durability")
              ? OptionalInt.of(n.get("durability").asInt())
              : OptionalInt.empty());
    } catch (IOException | RuntimeException e) {
      throw new MantaException(
          200,
          MantaException.BAD_RESPONSE,
          "malformed directory entry: " + e.getMessage(),
          Optional.of(requestId),
          false,
          e);
    }
  }

  private static Optional<String> text(JsonNode n, String field) {
    return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
  }

  /** Collects a listing page, refusing responses that are not directories. */
  private static final class DirectorySink implements ResponseSink<byte[]> {
    private final String path;
    private final ResponseSink<byte[]> buffer = Sinks.buffer(MAX_LIST_PAGE_BYTES);

    DirectorySink(String path) {
      this.path = path;
    }

    @Override
    public void onHeaders(HttpResponse response, Flow flow) {
      String type = Optional.ofNullable(response.headers().get("content-type")).orElse("");
      if (!type.toLowerCase(Locale.ROOT).contains("type=directory")) {
        throw new MantaException(
            response.status().code(),
            "NotADirectory",
            path + " is not a directory",
            Optional.ofNullable(response.headers().get("x-request-id")),
            false,
            null);
      }
      buffer.onHeaders(response, flow);
    }

    @Override
    public boolean onData(io.netty.buffer.ByteBuf data) {
      return buffer.onData(data);
    }

    @Override
    public byte[] onComplete(HttpResponse response) {
      return buffer.onComplete(response);
    }
  }

  /** Stops sending requests and closes connections; running operations fail. */
  @Override
  public void close() {
    pool.close();
    signerThread.ifPresent(ExecutorService::shutdownNow);
    bodyWorkers.shutdownNow();
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** Manta's inclusive markers: the next page starts at the last name, which then comes twice. */
  static final class Paging {
    private Paging() {}

    /**
     * Adds the page's new entries to {@code into} and returns the options of the next page, or
     * empty at the end. {@code seen} holds names already returned at the marker position.
     */
    static Optional<ListOptions> next(
        ListOptions current, MantaListPage page, List<MantaEntry> into, Set<String> seen) {
      List<MantaEntry> entries = page.entries();
      for (MantaEntry e : entries) {
        if (!seen.contains(e.name())) {
          into.add(e);
        }
      }
      if (entries.size() < current.limit() || entries.isEmpty()) {
        return Optional.empty();
      }
      MantaEntry last = entries.get(entries.size() - 1);
      String marker = current.byMtime() ? last.mtime().toString() : last.name();
      if (current.byMtime() && current.marker().equals(Optional.of(marker))) {
        // The whole page shares the marker's mtime, so the same marker would fetch the
        // same page again. A bigger page may reach the next mtime; at Manta's maximum
        // nothing can (node-manta fails here too), and a silently short listing is worse.
        if (current.limit() < ListOptions.MAX_LIMIT) {
          return Optional.of(current.withLimit(ListOptions.MAX_LIMIT));
        }
        throw new MantaException(
            0,
            MantaException.CANNOT_PAGE,
            "more than "
                + current.limit()
                + " entries share the mtime "
                + marker
                + "; Manta cannot page past them when"
                + " listing by mtime (list by name instead)",
            Optional.empty(),
            false,
            null);
      }
      if (!current.marker().equals(Optional.of(marker))) {
        seen.clear();
      }
      for (MantaEntry e : entries) {
        String key = current.byMtime() ? e.mtime().toString() : e.name();
        if (key.equals(marker)) {
          seen.add(e.name());
        }
      }
      return Optional.of(current.withMarker(marker));
    }
  }
}
