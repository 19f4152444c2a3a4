package io.vminfo.manta;

import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Client settings. Build with {@link #builder()} or read the environment with {@link #fromEnv()}
 * ({@code MANTA_URL}, {@code MANTA_USER}, {@code MANTA_SUBUSER}, {@code MANTA_ROLE}, {@code
 * MANTA_KEY_ID}, {@code MANTA_TLS_INSECURE}, as node-manta and java-manta; plus java-manta's {@code
 * MANTA_KEY_PATH} and node-manta's {@code MANTA_NO_AUTH}).
 *
 * <p>The signing key is, in order: an explicit {@link Builder#signer}, the file at {@code keyPath},
 * the ssh-agent at {@code SSH_AUTH_SOCK} if it holds the key named by {@code keyId}, or the file in
 * {@code ~/.ssh} whose fingerprint is {@code keyId}.
 */
public final class MantaConfig {
  private final URI url;
  private final String user;
  private final Optional<String> subuser;
  private final List<String> roles;
  private final Optional<String> keyId;
  private final Optional<Path> keyPath;
  private final Optional<MantaSigner> signer;
  private final Optional<Path> sshAgentSocket;
  private final Optional<Path> sshDirectory;
  private final boolean anonymous;
  private final boolean tlsInsecure;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration idleTimeout;
  private final Duration expectContinueTimeout;
  private final long expectContinueThreshold;
  private final Duration operationTimeout;
  private final int maxConnections;
  private final RetryPolicy retryPolicy;
  private final Optional<EventLoopGroup> eventLoopGroup;
  private final int ioThreads;
  private final boolean blockingSockets;
  private final Clock clock;
  private final String userAgent;

  private MantaConfig(Builder b) {
    this.url = Objects.requireNonNull(b.url, "url (MANTA_URL) is required");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
      throw new IllegalArgumentException("MANTA_URL must be http(s)://host[:port]: " + url);
    }
    if (url.getPath() != null && !url.getPath().isEmpty() && !url.getPath().equals("/")) {
      throw new IllegalArgumentException("MANTA_URL must not have a path: " + url);
    }
    this.user = requireLogin(b.user, "user (MANTA_USER)");
    this.subuser = b.subuser.map(s -> requireLogin(s, "subuser (MANTA_SUBUSER)"));
    this.roles = List.copyOf(b.roles);
    this.keyId = b.keyId;
    this.keyPath = b.keyPath;
    this.signer = b.signer;
    this.sshAgentSocket = b.sshAgentSocket;
    this.sshDirectory = b.sshDirectory;
    this.anonymous = b.anonymous;
    if (!anonymous && signer.isEmpty() && keyId.isEmpty() && keyPath.isEmpty()) {
      throw new IllegalArgumentException(
          "a key is required: set keyId (MANTA_KEY_ID), keyPath (MANTA_KEY_PATH)"
              + " or a signer, or anonymous (MANTA_NO_AUTH) for public reads");
    }
    this.tlsInsecure = b.tlsInsecure;
    this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
    this.requestTimeout = positive(b.requestTimeout, "requestTimeout");
    this.idleTimeout = positive(b.idleTimeout, "idleTimeout");
    this.expectContinueTimeout = positive(b.expectContinueTimeout, "expectContinueTimeout");
    if (b.expectContinueThreshold < 0) {
      throw new IllegalArgumentException("expectContinueThreshold must be >= 0");
    }
    this.expectContinueThreshold = b.expectContinueThreshold;
    this.operationTimeout = positive(b.operationTimeout, "operationTimeout");
    if (b.maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1");
    }
    this.maxConnections = b.maxConnections;
    this.retryPolicy = Objects.requireNonNull(b.retryPolicy, "retryPolicy");
    this.eventLoopGroup = b.eventLoopGroup;
    if (b.ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1");
    }
    this.ioThreads = b.ioThreads;
    this.blockingSockets = b.blockingSockets;
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.userAgent = Objects.requireNonNull(b.userAgent, "userAgent");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the process environment. */
  public static MantaConfig fromEnv() {
    return fromEnv(System.getenv()).build();
  }

  /** A builder preset from environment variables, for further changes. */
  public static Builder fromEnv(Map<String, String> env) {
    Builder b = builder();
    String url = env.get("MANTA_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("MANTA_URL is not set");
    }
    b.url(URI.create(url.trim()));
    String user = env.get("MANTA_USER");
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("MANTA_USER is not set");
    }
    b.user(user.trim());
    nonBlank(env.get("MANTA_SUBUSER")).ifPresent(b::subuser);
    nonBlank(env.get("MANTA_ROLE"))
        .ifPresent(
            r -> {
              List<String> roles = new ArrayList<>();
              for (String s : r.split(",")) {
                if (!s.isBlank()) {
                  roles.add(s.trim());
                }
              }
              b.roles(roles);
            });
    nonBlank(env.get("MANTA_KEY_ID")).ifPresent(b::keyId);
    nonBlank(env.get("MANTA_KEY_PATH")).map(Path::of).ifPresent(b::keyPath);
    nonBlank(env.get("SSH_AUTH_SOCK")).map(Path::of).ifPresent(b::sshAgentSocket);
    nonBlank(env.get("HOME")).map(h -> Path.of(h, ".ssh")).ifPresent(b::sshDirectory);
    b.tlsInsecure(truthy(env.get("MANTA_TLS_INSECURE")));
    b.anonymous(truthy(env.get("MANTA_NO_AUTH")));
    return b;
  }

  private static boolean truthy(String v) {
    if (v == null) {
      return false;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    return s.equals("1") || s.equals("true") || s.equals("yes");
  }

  private static Optional<String> nonBlank(String v) {
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  private static String requireLogin(String login, String what) {
    if (login == null || login.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
    if (login.contains("/") || login.chars().anyMatch(c -> c <= ' ')) {
      throw new IllegalArgumentException(what + " is not a valid login: " + login);
    }
    return login;
  }

  private static Duration positive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive");
    }
    return d;
  }

  public URI url() {
    return url;
  }

  public String user() {
    return user;
  }

  public Optional<String> subuser() {
    return subuser;
  }

  public List<String> roles() {
    return roles;
  }

  public Optional<String> keyId() {
    return keyId;
  }

  public Optional<Path> keyPath() {
    return keyPath;
  }

  public Optional<MantaSigner> signer() {
    return signer;
  }

  public Optional<Path> sshAgentSocket() {
    return sshAgentSocket;
  }

  public Optional<Path> sshDirectory() {
    return sshDirectory;
  }

  public boolean anonymous() {
    return anonymous;
  }

  public boolean tlsInsecure() {
    return tlsInsecure;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration expectContinueTimeout() {
    return expectContinueTimeout;
  }

  /**
   * Uploads of at least this many bytes (and uploads of unknown length) ask for {@code 100
   * Continue} before sending the body; smaller ones go in one round trip, as curl does. 0 means
   * every upload asks.
   */
  public long expectContinueThreshold() {
    return expectContinueThreshold;
  }

  public Duration operationTimeout() {
    return operationTimeout;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  public Optional<EventLoopGroup> eventLoopGroup() {
    return eventLoopGroup;
  }

  public int ioThreads() {
    return ioThreads;
  }

  /**
   * True when {@link MantaClient#blocking()} runs its requests on the caller's thread over JDK
   * sockets; false when it waits for the asynchronous (Netty) path.
   */
  public boolean blockingSockets() {
    return blockingSockets;
  }

  public Clock clock() {
    return clock;
  }

  public String userAgent() {
    return userAgent;
  }

  @Override
  public String toString() {
    return "MantaConfig["
        + url
        + " user="
        + user
        + subuser.map(s -> "/" + s).orElse("")
        + keyId.map(k -> " key=" + k).orElse("")
        + (anonymous ? " anonymous" : "")
        + (tlsInsecure ? " tls-insecure" : "")
        + (blockingSockets ? "" : " blocking-via-netty")
        + "]";
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private URI url;
    private String user;
    private Optional<String> subuser = Optional.empty();
    private List<String> roles = List.of();
    private Optional<String> keyId = Optional.empty();
    private Optional<Path> keyPath = Optional.empty();
    private Optional<MantaSigner> signer = Optional.empty();
    private Optional<Path> sshAgentSocket = Optional.empty();
    private Optional<Path> sshDirectory =
        Optional.ofNullable(System.getProperty("user.home")).map(h -> Path.of(h, ".ssh"));
    private boolean anonymous;
    private boolean tlsInsecure;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration expectContinueTimeout = Duration.ofSeconds(3);
    private long expectContinueThreshold = 64 * 1024;
    private Duration operationTimeout = Duration.ofHours(1);
    private int maxConnections = 16;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Optional<EventLoopGroup> eventLoopGroup = Optional.empty();
    // One event loop: a second one measured slower for blocking callers (more hand-offs between
    // threads; docs/benchmarks.md, run E) and a single transfer only ever uses one loop.
    private int ioThreads = 1;
    // The system property exists so the whole test suite can run against either transport.
    private boolean blockingSockets =
        Boolean.parseBoolean(System.getProperty("io.vminfo.manta.blockingSockets", "true"));
    private Clock clock = Clock.systemUTC();
    private String userAgent = "vminfo-manta-client/0.1";

    private Builder() {}

    public Builder url(URI u) {
      this.url = u;
      return this;
    }

    public Builder url(String u) {
      return url(URI.create(u));
    }

    public Builder user(String u) {
      this.user = u;
      return this;
    }

    public Builder subuser(String s) {
      this.subuser = Optional.of(s);
      return this;
    }

    /** Roles to assume, sent in the {@code Role} header. */
    public Builder roles(List<String> r) {
      this.roles = List.copyOf(r);
      return this;
    }

    /** The key's fingerprint: MD5 ({@code aa:bb:...}) or SHA256 ({@code SHA256:...}). */
    public Builder keyId(String fingerprint) {
      this.keyId = Optional.of(fingerprint);
      return this;
    }

    public Builder keyPath(Path p) {
      this.keyPath = Optional.of(p);
      return this;
    }

    public Builder signer(MantaSigner s) {
      this.signer = Optional.of(s);
      return this;
    }

    public Builder sshAgentSocket(Path p) {
      this.sshAgentSocket = Optional.of(p);
      return this;
    }

    /** Where to look for a key matching keyId (default {@code ~/.ssh}). */
    public Builder sshDirectory(Path p) {
      this.sshDirectory = Optional.of(p);
      return this;
    }

    /** Send no Authorization (reads of {@code /:login/public}). */
    public Builder anonymous(boolean a) {
      this.anonymous = a;
      return this;
    }

    /** Skip TLS certificate checks; for test endpoints only. */
    public Builder tlsInsecure(boolean insecure) {
      this.tlsInsecure = insecure;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    /** Longest time without progress (no byte sent or received) before a request fails. */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    /** How long an unused pooled connection stays open. */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = d;
      return this;
    }

    /**
     * Uploads of at least this many bytes (or of unknown length) wait for {@code 100 Continue};
     * smaller ones are sent at once (default 64 KiB; 0 = always wait). Waiting costs a round trip
     * and saves sending a body Manta would refuse, which only pays off for large bodies.
     */
    public Builder expectContinueThreshold(long bytes) {
      this.expectContinueThreshold = bytes;
      return this;
    }

    /** How long an upload waits for {@code 100 Continue} before sending the body anyway. */
    public Builder expectContinueTimeout(Duration d) {
      this.expectContinueTimeout = d;
      return this;
    }

    /** The bound of every call of the blocking facade. */
    public Builder operationTimeout(Duration d) {
      this.operationTimeout = d;
      return this;
    }

    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    public Builder retryPolicy(RetryPolicy p) {
      this.retryPolicy = p;
      return this;
    }

    /** Use a shared event loop group (not shut down by the client). */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.eventLoopGroup = Optional.of(group);
      return this;
    }

    /** Threads of the client's own event loop group, when none is shared (default 1). */
    public Builder ioThreads(int n) {
      this.ioThreads = n;
      return this;
    }

    /**
     * Whether the blocking facade uses its own caller-thread transport (JDK sockets, default) or
     * the asynchronous Netty path (a thread hand-off per call). The asynchronous API always uses
     * Netty. Default from the system property {@code io.vminfo.manta.blockingSockets}, else true.
     */
    public Builder blockingSockets(boolean on) {
      this.blockingSockets = on;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    public Builder userAgent(String ua) {
      this.userAgent = ua;
      return this;
    }

    public MantaConfig build() {
      return new MantaConfig(this);
    }
  }
}
