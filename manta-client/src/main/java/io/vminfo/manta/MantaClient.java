package io.vminfo.manta;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.vminfo.manta.internal.Authorizer;
import io.vminfo.manta.internal.BodySource;
import io.vminfo.manta.internal.BodyStream;
import io.vminfo.manta.internal.DirectoryCache;
import io.vminfo.manta.internal.HttpExchange;
import io.vminfo.manta.internal.LiveBodySink;
import io.vminfo.manta.internal.MantaPaths;
import io.vminfo.manta.internal.NettyTransport;
import io.vminfo.manta.internal.Paging;
import io.vminfo.manta.internal.RequestSpec;
import io.vminfo.manta.internal.ResponseErrors;
import io.vminfo.manta.internal.ResponseHeaders;
import io.vminfo.manta.internal.ResponseSink;
import io.vminfo.manta.internal.RetryEngine;
import io.vminfo.manta.internal.RetryEngine.Operation;
import io.vminfo.manta.internal.SignerResolver;
import io.vminfo.manta.internal.Sinks;
import io.vminfo.manta.internal.SocketTransport;
import io.vminfo.manta.internal.StreamSink;
import io.vminfo.manta.internal.Transport;
import io.vminfo.manta.internal.UrlSigner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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
  static final String DIR_TYPE = "application/json; type=directory";
  static final String LINK_TYPE = "application/json; type=link";
  private static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
  private static final int MAX_KNOWN_DIRS = 10_000;
  private static final int DELETE_CONCURRENCY = 8;

  private final MantaConfig config;
  private final Authorizer authorizer;
  private final Transport transport;
  private final ExecutorService bodyWorkers;
  private final RetryEngine engine;
  private final String hostHeader;
  private final DirectoryCache knownDirs;
  // The blocking facade's twin: same operations, key and directory cache, run on the caller's
  // thread over JDK sockets (no hand-off to an event loop and back per call).
  private final Optional<MantaClient> direct;
  private final BlockingMantaClient blocking;

  private MantaClient(MantaConfig config, Optional<MantaSigner> signer) {
    this(
        config,
        new Authorizer(signer, config.user(), config.subuser(), config.clock()),
        new NettyTransport(config),
        new DirectoryCache(MAX_KNOWN_DIRS),
        Optional.empty());
  }

  private MantaClient(
      MantaConfig config,
      Authorizer authorizer,
      Transport transport,
      DirectoryCache knownDirs,
      Optional<ExecutorService> sharedWorkers) {
    this.config = config;
    this.authorizer = authorizer;
    this.transport = transport;
    this.knownDirs = knownDirs;
    boolean primary = transport instanceof NettyTransport;
    this.bodyWorkers =
        primary ? ((NettyTransport) transport).bodyWorkers() : sharedWorkers.orElseThrow();
    String host = config.url().getHost();
    boolean tls = config.url().getScheme().equalsIgnoreCase("https");
    int port = config.url().getPort() > 0 ? config.url().getPort() : tls ? 443 : 80;
    this.hostHeader = config.url().getPort() > 0 ? host + ":" + port : host;
    Optional<String> roleHeader =
        config.roles().isEmpty() ? Optional.empty() : Optional.of(String.join(",", config.roles()));
    this.engine =
        new RetryEngine(
            authorizer,
            hostHeader,
            roleHeader,
            config.userAgent(),
            config.retryPolicy(),
            config.clock(),
            transport,
            () -> ThreadLocalRandom.current().nextDouble(),
            !primary);
    this.direct =
        primary && config.blockingSockets()
            ? Optional.of(
                new MantaClient(
                    config,
                    authorizer,
                    new SocketTransport(config),
                    knownDirs,
                    Optional.of(bodyWorkers)))
            : Optional.empty();
    this.blocking = new BlockingMantaClient(direct.orElse(this), config.operationTimeout());
  }

  /** Creates a client, resolving its signing key as {@link MantaConfig} describes. */
  public static MantaClient create(MantaConfig config) {
    return new MantaClient(config, SignerResolver.resolve(config));
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
        new Operation<MantaPutResult>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            Map<String, String> h = new LinkedHashMap<>(auth);
            h.putAll(headers);
            return new RequestSpec(HttpMethod.PUT, MantaPaths.encode(p), h, src, true);
          }

          @Override
          public boolean replayable() {
            return src.replayable();
          }

          @Override
          public MantaPutResult onSuccess(HttpExchange.Response<?> r) {
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
                ResponseHeaders.lastModified(r.headers()),
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
        new Operation<Void>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            Map<String, String> all = new LinkedHashMap<>(auth);
            all.putAll(h);
            return new RequestSpec(
                HttpMethod.PUT, MantaPaths.encode(p) + "?metadata=true", all, null, false);
          }

          @Override
          public Void onSuccess(HttpExchange.Response<?> r) {
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
        new Operation<MantaObjectInfo>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            return new RequestSpec(HttpMethod.HEAD, MantaPaths.encode(p), auth, null, false);
          }

          @Override
          public MantaObjectInfo onSuccess(HttpExchange.Response<?> r) {
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
        new Operation<MantaObjectInfo>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            return getSpec(p, auth, options);
          }

          @Override
          public ResponseSink<?> sink() {
            return Sinks.file(target, !options.isRange(), bodyWorkers);
          }

          @Override
          public MantaObjectInfo onSuccess(HttpExchange.Response<?> r) {
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
        new Operation<byte[]>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            return getSpec(p, auth, options);
          }

          @Override
          public ResponseSink<?> sink() {
            return Sinks.buffer(maxBytes);
          }

          @Override
          public byte[] onSuccess(HttpExchange.Response<?> r) {
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
    if (transport instanceof SocketTransport) {
      return liveStream(p, options);
    }
    long readTimeout = config.requestTimeout().multipliedBy(2).toMillis();
    return execute(
        new Operation<MantaObjectStream>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            return getSpec(p, auth, options);
          }

          @Override
          public ResponseSink<?> sink() {
            return new StreamSink(readTimeout, !options.isRange());
          }

          @Override
          public Optional<CompletableFuture<MantaObjectStream>> early(ResponseSink<?> sink) {
            StreamSink s = (StreamSink) sink;
            return Optional.of(
                s.headers().thenApply(res -> new MantaObjectStream(info(p, res.headers()), s)));
          }

          @Override
          public MantaObjectStream onSuccess(HttpExchange.Response<?> r) {
            throw new IllegalStateException("delivered early");
          }
        });
  }

  /**
   * On the socket transport: a stream the caller reads from the connection on its own thread; the
   * connection goes back to the pool once the body was read to its end, and is closed otherwise.
   */
  private CompletableFuture<MantaObjectStream> liveStream(String p, GetOptions options) {
    return execute(
        new Operation<MantaObjectStream>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            return getSpec(p, auth, options);
          }

          @Override
          public ResponseSink<?> sink() {
            return new LiveBodySink(!options.isRange());
          }

          @Override
          public MantaObjectStream onSuccess(HttpExchange.Response<?> r) {
            return new MantaObjectStream(info(p, r.headers()), (BodyStream) r.body());
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
        new Operation<Void>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            return new RequestSpec(HttpMethod.DELETE, MantaPaths.encode(p), auth, null, false);
          }

          @Override
          public Void onSuccess(HttpExchange.Response<?> r) {
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
        new Operation<Void>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            Map<String, String> h = new LinkedHashMap<>(auth);
            h.put("content-type", LINK_TYPE);
            h.put("location", MantaPaths.encode(source));
            return new RequestSpec(HttpMethod.PUT, MantaPaths.encode(p), h, null, false);
          }

          @Override
          public Void onSuccess(HttpExchange.Response<?> r) {
            return null;
          }
        });
  }

  // ---------------------------------------------------------------- directories

  /** Creates a directory (or updates its metadata); its parent must exist. */
  public CompletableFuture<Void> putDirectory(String path) {
    String p = normalize(path);
    return execute(
        new Operation<Void>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            Map<String, String> h = new LinkedHashMap<>(auth);
            h.put("content-type", DIR_TYPE);
            return new RequestSpec(HttpMethod.PUT, MantaPaths.encode(p), h, null, false);
          }

          @Override
          public Void onSuccess(HttpExchange.Response<?> r) {
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
    String uri = Paging.uri(MantaPaths.encode(p), options);
    return execute(
        new Operation<MantaListPage>() {
          @Override
          public RequestSpec spec(Map<String, String> auth) {
            return new RequestSpec(HttpMethod.GET, uri, auth, null, false);
          }

          @Override
          public ResponseSink<?> sink() {
            return new Paging.DirectorySink(p);
          }

          @Override
          public MantaListPage onSuccess(HttpExchange.Response<?> r) {
            rememberDirectory(p);
            long size = ResponseHeaders.parseLong(r.headers().get("result-set-size"), -1);
            return new MantaListPage(
                Paging.parseEntries((byte[]) r.body(), requestId(r.headers())), size);
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
              MantaListPage page = blocking.call(() -> listPage(p, o));
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

  private <T> CompletableFuture<T> execute(Operation<T> op) {
    return engine.execute(op);
  }

  static MantaException unwrap(Throwable e) {
    return ResponseErrors.unwrap(e);
  }

  private String normalize(String path) {
    return MantaPaths.normalize(path, config.user());
  }

  private boolean knowsDirectory(String p) {
    return knownDirs.contains(p);
  }

  private void rememberDirectory(String p) {
    knownDirs.remember(p);
  }

  private void forgetDirectory(String p) {
    knownDirs.forget(p);
  }

  private static MantaObjectInfo info(String path, HttpHeaders h) {
    return ResponseHeaders.info(path, h);
  }

  private static String requestId(HttpHeaders h) {
    return ResponseHeaders.requestId(h);
  }

  private static String md5(byte[] data) {
    try {
      return java.util.Base64.getEncoder()
          .encodeToString(java.security.MessageDigest.getInstance("MD5").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops sending requests and closes connections; running operations fail. */
  @Override
  public void close() {
    direct.ifPresent(MantaClient::close);
    transport.close();
    engine.close();
  }
}
