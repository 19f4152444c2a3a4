package io.vminfo.manta.emulator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vminfo.manta.emulator.internal.Accounts;
import io.vminfo.manta.emulator.internal.EmulatorContext;
import io.vminfo.manta.emulator.internal.RegisteredKey;
import io.vminfo.manta.emulator.internal.RequestHandler;
import io.vminfo.manta.emulator.internal.RequestRecord;
import io.vminfo.manta.emulator.internal.SignatureVerifier;
import io.vminfo.manta.emulator.internal.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Manta storage service in one process, for tests and local use: objects in a directory, Manta's
 * directory semantics, error codes, headers and HTTP Signature authentication, plus {@link
 * #faults() injectable faults}.
 *
 * <pre>{@code
 * try (MantaEmulator manta = MantaEmulator.builder().root(dir).key("alice", publicKey).start()) {
 *     URI url = manta.url();
 *     manta.faults().failNext(2);
 * }
 * }</pre>
 */
public final class MantaEmulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MantaEmulator.class);
  private static final Pattern LOGIN = Pattern.compile("[a-zA-Z][a-zA-Z0-9_\\-.@]{0,63}");
  private static final int MAX_RECORDS = 10_000;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel server;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Faults faults;
  private final Store store;
  private final URI url;
  private final Deque<RequestRecord> records = new ArrayDeque<>();
  private long requestCount;

  private MantaEmulator(Builder b) {
    this.store = new Store(b.root);
    for (String login : b.accounts.logins()) {
      store.addLogin(login);
    }
    this.faults = new Faults();
    String serverName = b.serverName.orElseGet(MantaEmulator::hostName);
    EmulatorContext shared =
        new EmulatorContext(
            store,
            b.accounts,
            new SignatureVerifier(b.accounts, b.clock),
            b.clock,
            serverName,
            faults::next,
            this::record,
            b.maxStreamingSize);
    SslContext ssl = b.ssl;
    this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("manta-emulator-accept", true));
    this.workers =
        new NioEventLoopGroup(b.ioThreads, new DefaultThreadFactory("manta-emulator-io", true));
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 256)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (faults.dropsConnections()) {
                      ch.close();
                      return;
                    }
                    connections.add(ch);
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(
                            new IdleStateHandler(0, 0, b.idleSeconds, TimeUnit.SECONDS) {
                              @Override
                              protected void channelIdle(
                                  io.netty.channel.ChannelHandlerContext ctx, IdleStateEvent evt) {
                                ctx.close();
                              }
                            });
                    ch.pipeline().addLast(new HttpServerCodec(8192, 16 * 1024, 64 * 1024));
                    ch.pipeline().addLast(new ChunkedWriteHandler());
                    ch.pipeline().addLast(new RequestHandler(shared));
                  }
                });
    try {
      this.server = bootstrap.bind(new InetSocketAddress(b.host, b.port)).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutdown();
      throw new IllegalStateException("interrupted while binding", e);
    } catch (RuntimeException e) {
      shutdown();
      throw e;
    }
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    String host =
        bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    this.url = URI.create((ssl != null ? "https" : "http") + "://" + host + ":" + bound.getPort());
    LOG.info("Manta emulator on {} storing in {}", url, store.root());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:40123}: what {@code MANTA_URL} should be. */
  public URI url() {
    return url;
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public Faults faults() {
    return faults;
  }

  /** The directory objects are stored in. */
  public Path root() {
    return store.root();
  }

  /** Where the bytes of an object are on disk, e.g. {@code fileOf("/alice/stor/a.txt")}. */
  public Optional<Path> fileOf(String mantaPath) {
    Path p = store.root();
    for (String s : mantaPath.split("/")) {
      if (s.isEmpty()) {
        continue;
      }
      if (s.equals("..") || s.equals(".")) {
        throw new IllegalArgumentException("not a normalized Manta path: " + mantaPath);
      }
      p = p.resolve(s);
    }
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /** The most recent requests (up to 10,000), oldest first. */
  public synchronized List<Request> requests() {
    List<Request> out = new ArrayList<>(records.size());
    for (RequestRecord r : records) {
      out.add(new Request(r.method(), r.uri(), r.status(), r.requestId(), r.faulted()));
    }
    return out;
  }

  /** How many requests arrived since start. */
  public synchronized long requestCount() {
    return requestCount;
  }

  /** Closes every open client connection (the server keeps listening). */
  public void closeConnections() {
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    shutdown();
  }

  private void shutdown() {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private synchronized void record(RequestRecord r) {
    requestCount++;
    records.addLast(r);
    if (records.size() > MAX_RECORDS) {
      records.removeFirst();
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "manta-emulator";
    }
  }

  /** One request the emulator answered; status 0 means it dropped the connection. */
  public record Request(String method, String uri, int status, String requestId, boolean faulted) {}

  /** Configures and starts an emulator. */
  public static final class Builder {
    private Path root;
    private final Accounts accounts = new Accounts();
    private String host = "127.0.0.1";
    private int port;
    private Clock clock = Clock.systemUTC();
    private Optional<String> serverName = Optional.empty();
    private SslContext ssl;
    private int ioThreads = 2;
    private int idleSeconds = 120;
    private long maxStreamingSize = 5L * 1024 * 1024 * 1024;

    private Builder() {}

    /** The directory to store objects in (created if missing). Required. */
    public Builder root(Path dir) {
      this.root = Objects.requireNonNull(dir, "root");
      return this;
    }

    /** Registers an account key. */
    public Builder key(String login, PublicKey key) {
      accounts.addKey(checkLogin(login), RegisteredKey.of(key));
      return this;
    }

    /** Registers an account key given as an OpenSSH public key line or a PEM public key. */
    public Builder key(String login, String publicKeyText) {
      accounts.addKey(checkLogin(login), RegisteredKey.parse(publicKeyText));
      return this;
    }

    /** Registers an account key read from a {@code .pub} (OpenSSH) or PEM file. */
    public Builder keyFile(String login, Path publicKeyFile) {
      try {
        return key(login, Files.readString(publicKeyFile, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read public key " + publicKeyFile, e);
      }
    }

    /** Registers a key of subuser {@code login/subuser}. */
    public Builder subuserKey(String login, String subuser, PublicKey key) {
      accounts.addSubuserKey(checkLogin(login), checkLogin(subuser), RegisteredKey.of(key));
      return this;
    }

    /** Registers a subuser key given as an OpenSSH public key line or a PEM public key. */
    public Builder subuserKey(String login, String subuser, String publicKeyText) {
      accounts.addSubuserKey(
          checkLogin(login), checkLogin(subuser), RegisteredKey.parse(publicKeyText));
      return this;
    }

    /** Registers an account with no keys (its public tree is readable anonymously). */
    public Builder login(String login) {
      accounts.addLogin(checkLogin(login));
      return this;
    }

    /** A role the account's requests may assume with the {@code Role} header. */
    public Builder role(String login, String role) {
      accounts.addRole(checkLogin(login), Objects.requireNonNull(role, "role"));
      return this;
    }

    public Builder host(String bindHost) {
      this.host = Objects.requireNonNull(bindHost, "host");
      return this;
    }

    /** 0 (the default) picks a free port. */
    public Builder port(int p) {
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("port out of range: " + p);
      }
      this.port = p;
      return this;
    }

    /** The clock request dates are checked against (±300 s) and mtimes come from. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public Builder serverName(String name) {
      this.serverName = Optional.of(name);
      return this;
    }

    /** Serve HTTPS with the first key entry of a keystore. */
    public Builder tls(KeyStore keyStore, char[] password) {
      try {
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, password);
        this.ssl = SslContextBuilder.forServer(kmf).build();
      } catch (Exception e) {
        throw new IllegalArgumentException("unusable TLS key store: " + e.getMessage(), e);
      }
      return this;
    }

    /** The largest chunked upload accepted without a {@code max-content-length} header. */
    public Builder maxStreamingSize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxStreamingSize must be >= 0");
      }
      this.maxStreamingSize = bytes;
      return this;
    }

    public Builder ioThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("ioThreads must be >= 1");
      }
      this.ioThreads = n;
      return this;
    }

    public MantaEmulator start() {
      if (root == null) {
        throw new IllegalStateException("root(dir) is required");
      }
      return new MantaEmulator(this);
    }

    private static String checkLogin(String login) {
      if (login == null || !LOGIN.matcher(login).matches()) {
        throw new IllegalArgumentException("invalid Manta login: " + login);
      }
      return login;
    }
  }
}
