package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vminfo.manta.MantaConfig;
import io.vminfo.manta.MantaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocking API's transport: HTTP/1.1 over JDK sockets (TLS through SSLSocket), run on the
 * caller's thread, so a blocking call costs no thread hand-off. It keeps its own bounded keep-alive
 * pool, sends uploads with {@code Expect: 100-continue} like the Netty path (the body only after
 * 100 Continue; an early final answer is used and the connection closed), and bounds the time
 * without progress: reads by SO_TIMEOUT, writes by a watchdog that closes a stalled socket; a
 * blocking call's {@link OperationDeadline} bounds all of it. The answer to a body sent in several
 * writes is read by a reader thread meanwhile, so an answer in the middle of the body is seen. Its
 * futures are complete when {@link #exchange} returns, except downloads into file sinks, which
 * finish on the sink's worker (that is where they hash and write, pipelined with the reading). A
 * {@link LiveBodySink} gets the body as a {@link BodyStream} its caller reads from the socket.
 */
public final class SocketTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(SocketTransport.class);
  private static final int IO_CHUNK = 256 * 1024;
  private static final int READ_BUFFER = 64 * 1024;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int MAX_ERROR_BODY = 64 * 1024;
  // An idle connection older than this is probed before use: a server that closed it is found
  // here instead of failing the request (hot connections are not probed; a probe costs 1 ms).
  private static final long PROBE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final byte[] CRLF = {'\r', '\n'};
  private static final int WRITING = 0;
  private static final int WRITTEN = 1;
  private static final int ANSWERED = 2;
  private static final int FAILED = 3;
  // Parsed here already; Netty's per-header validation would only cost time.
  private static final HttpHeadersFactory HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  private final String host;
  private final int port;
  private final String hostPort;
  private final Optional<SSLSocketFactory> tls;
  private final boolean verifyHostname;
  private final int connectTimeoutMillis;
  private final long requestTimeoutNanos;
  private final int requestTimeoutMillis;
  private final int expectContinueMillis;
  private final long expectContinueThreshold;
  private final long idleNanos;
  private final long acquireMillis;
  private final int maxConnections;
  private final Semaphore permits;
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  private final Set<Conn> leased = ConcurrentHashMap.newKeySet();
  // Read the response while a large body is still going out, so an answer in the middle of an
  // upload (a refusal from a server that then stops reading) is seen instead of a stalled write.
  // Releases the connection of a body stream its caller dropped without closing (one thread for
  // every client in the JVM; it sleeps until a stream is collected).
  private static final Cleaner ABANDONED_STREAMS =
      Cleaner.create(new DefaultThreadFactory("manta-stream-cleaner", true));
  private final ExecutorService readers =
      Executors.newCachedThreadPool(new DefaultThreadFactory("manta-socket-reader", true));
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          new DefaultThreadFactory("manta-socket-watchdog", true));
  private final ThreadLocal<byte[]> chunks = ThreadLocal.withInitial(() -> new byte[IO_CHUNK]);
  // Arrays lent to sinks that keep them (the file sink's worker) come back here when the sink
  // releases them, so a large download cycles through a few MiB instead of allocating (and
  // zeroing) its whole size.
  private final ArrayBlockingQueue<byte[]> lent = new ArrayBlockingQueue<>(64);
  private volatile boolean closed;

  public SocketTransport(MantaConfig config) {
    this.host = config.url().getHost();
    boolean https = config.url().getScheme().equalsIgnoreCase("https");
    this.port = config.url().getPort() > 0 ? config.url().getPort() : https ? 443 : 80;
    this.hostPort = host + ":" + port;
    this.tls = https ? Optional.of(sslFactory(config.tlsInsecure())) : Optional.empty();
    this.verifyHostname = !config.tlsInsecure();
    this.connectTimeoutMillis = clampMillis(config.connectTimeout().toMillis());
    this.requestTimeoutNanos = config.requestTimeout().toNanos();
    this.requestTimeoutMillis = clampMillis(config.requestTimeout().toMillis());
    this.expectContinueMillis = clampMillis(config.expectContinueTimeout().toMillis());
    this.expectContinueThreshold = config.expectContinueThreshold();
    this.idleNanos = config.idleTimeout().toNanos();
    this.acquireMillis = config.requestTimeout().plus(config.connectTimeout()).toMillis();
    this.maxConnections = config.maxConnections();
    this.permits = new Semaphore(maxConnections, true);
    long period = Math.max(50, Math.min(1000, config.requestTimeout().toMillis() / 4));
    watchdog.scheduleAtFixedRate(this::watch, period, period, TimeUnit.MILLISECONDS);
  }

  private static int clampMillis(long ms) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }

  private static SSLSocketFactory sslFactory(boolean insecure) {
    if (!insecure) {
      return (SSLSocketFactory) SSLSocketFactory.getDefault();
    }
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS implementation", e);
    }
  }

  // ------------------------------------------------------------------ connections

  /** One socket, with its own read buffer; used by one exchange at a time. */
  private static final class Conn {
    final Socket socket;
    // The TCP socket under a TLS one (the same socket without TLS): closing it unblocks a stalled
    // TLS writer, where closing the TLS socket would first wait to send close_notify behind it.
    final Socket raw;
    final InputStream in;
    final OutputStream out;
    final byte[] buf = new byte[READ_BUFFER];
    int pos;
    int lim;
    volatile long lastProgress = System.nanoTime();
    volatile boolean writing;
    volatile boolean stalled;
    // The operation deadline of the exchange using it, for the watchdog; expired once it cut it.
    volatile OperationDeadline deadline = OperationDeadline.NONE;
    volatile boolean expired;
    long idleSince;
    private int soTimeout = -1;

    Conn(Socket socket, Socket raw) throws IOException {
      this.socket = socket;
      this.raw = raw;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** Sets SO_TIMEOUT only when it changes: it is a system call, and most requests keep it. */
    void readTimeout(int millis) throws IOException {
      if (millis != soTimeout) {
        socket.setSoTimeout(millis);
        soTimeout = millis;
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing is all that is wanted; nothing to do about a failure
      }
    }

    /** Closes from another thread than the one using it, which may be blocked in a write. */
    void abort() {
      closeQuietly(raw);
      close();
    }
  }

  private Conn acquire(OperationDeadline d) {
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
    d.check();
    try {
      if (!permits.tryAcquire(
          Math.min(acquireMillis, TimeUnit.NANOSECONDS.toMillis(d.remainingNanos())),
          TimeUnit.MILLISECONDS)) {
        d.check();
        throw new MantaException(
            0,
            MantaException.TIMEOUT,
            "no connection to "
                + host
                + " became free within "
                + acquireMillis
                + " ms ("
                + maxConnections
                + " in use)",
            Optional.empty(),
            true,
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MantaException(
          0, MantaException.TIMEOUT, "interrupted", Optional.empty(), false, e);
    }
    try {
      Conn c = pooled();
      if (c == null) {
        c = connect(d);
      }
      c.deadline = d;
      c.expired = false;
      leased.add(c);
      return c;
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /** The most recently used live idle connection, or null. */
  private Conn pooled() {
    while (true) {
      Conn c;
      synchronized (idle) {
        c = idle.pollFirst();
      }
      if (c == null) {
        return null;
      }
      long idleFor = System.nanoTime() - c.idleSince;
      if (idleFor > idleNanos || (idleFor > PROBE_AFTER_NANOS && !alive(c))) {
        c.close();
        continue;
      }
      return c;
    }
  }

  /** True when the server has not closed (or written to) an idle connection. */
  private static boolean alive(Conn c) {
    if (c.socket.isClosed() || c.pos < c.lim) {
      return false;
    }
    try {
      c.readTimeout(1);
      c.in.read(); // end of stream, or a byte no request asked for: either way unusable
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Conn connect(OperationDeadline d) {
    Socket s = new Socket();
    // Below connectTimeout when the operation deadline is nearer: then a timeout is the deadline's.
    int bound = d.bound(connectTimeoutMillis);
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      s.connect(new InetSocketAddress(host, port), bound);
    } catch (IOException e) {
      closeQuietly(s);
      if (d.passed() || (bound < connectTimeoutMillis && e instanceof SocketTimeoutException)) {
        throw d.expired(e);
      }
      throw new MantaException(
          0,
          MantaException.CONNECT_FAILED,
          "cannot connect to " + hostPort + ": " + e.getMessage(),
          Optional.empty(),
          true,
          e);
    }
    if (tls.isEmpty()) {
      try {
        return new Conn(s, s);
      } catch (IOException e) {
        closeQuietly(s);
        throw connectFailed(e);
      }
    }
    try {
      SSLSocket ssl = (SSLSocket) tls.get().createSocket(s, host, port, true);
      if (verifyHostname) {
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
      }
      ssl.setSoTimeout(d.bound(connectTimeoutMillis));
      ssl.startHandshake();
      return new Conn(ssl, s);
    } catch (IOException e) {
      closeQuietly(s);
      if (d.passed()
          || (d.bound(connectTimeoutMillis) < connectTimeoutMillis
              && e instanceof SocketTimeoutException)) {
        throw d.expired(e);
      }
      throw new MantaException(
          0,
          MantaException.CONNECT_FAILED,
          "TLS handshake with "
              + hostPort
              + " failed: "
              + e.getMessage()
              + " (MANTA_TLS_INSECURE=true skips certificate checks for test endpoints)",
          Optional.empty(),
          false, // a certificate does not get better by asking again
          e);
    }
  }

  private MantaException connectFailed(IOException e) {
    return new MantaException(
        0,
        MantaException.CONNECT_FAILED,
        "cannot connect to " + hostPort + ": " + e.getMessage(),
        Optional.empty(),
        true,
        e);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  private void release(Conn c, boolean reusable) {
    leased.remove(c);
    c.deadline = OperationDeadline.NONE;
    if (reusable && !closed && !c.socket.isClosed()) {
      c.idleSince = System.nanoTime();
      synchronized (idle) {
        idle.addFirst(c);
      }
      if (closed) {
        closeIdle();
      }
    } else {
      c.abort(); // another thread may still be blocked writing on it (an upload answered early)
    }
    permits.release();
  }

  /** Closes stalled writers and expired idle connections. */
  private void watch() {
    long now = System.nanoTime();
    for (Conn c : leased) {
      if (!c.writing) {
        continue; // readers are bounded by SO_TIMEOUT
      }
      OperationDeadline d = c.deadline;
      if (d.bounded() && now - d.endNanos() >= 0) {
        c.expired = true;
        c.abort(); // unblocks the writer, which reports the operation timeout
      } else if (now - c.lastProgress > requestTimeoutNanos) {
        c.stalled = true;
        c.abort(); // unblocks the writer, which reports a timeout
      }
    }
    synchronized (idle) {
      for (Iterator<Conn> it = idle.iterator(); it.hasNext(); ) {
        Conn c = it.next();
        if (now - c.idleSince > idleNanos) {
          it.remove();
          c.close();
        }
      }
    }
  }

  private void closeIdle() {
    synchronized (idle) {
      idle.forEach(Conn::close);
      idle.clear();
    }
  }

  private byte[] borrow() {
    byte[] b = lent.poll();
    return b != null ? b : new byte[IO_CHUNK];
  }

  /** {@code n} bytes of {@code b} as a buffer whose release returns {@code b} to the pool. */
  private ByteBuf lendable(byte[] b, int n) {
    ByteBuf buf =
        new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, b, b.length) {
          @Override
          protected void freeArray(byte[] array) {
            lent.offer(array);
          }
        };
    return buf.setIndex(0, n);
  }

  // ------------------------------------------------------------------ exchange

  @Override
  public CompletableFuture<HttpExchange.Response<Object>> exchange(
      RequestSpec spec, ResponseSink<?> sink, AtomicBoolean bodyOpened) {
    OperationDeadline d = OperationDeadline.current();
    Conn c;
    try {
      c = acquire(d);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return new Exchange(spec, sink, bodyOpened, c, d).run();
  }

  /** One request and response on one connection, on the calling thread. */
  private final class Exchange implements ResponseSink.Flow {
    private final RequestSpec spec;
    private final ResponseSink<?> sink;
    private final AtomicBoolean bodyOpened;
    private final Conn c;
    // The call's deadline; none once a live body is handed out (its reads are the caller's).
    private OperationDeadline deadline;
    private final AtomicBoolean released = new AtomicBoolean();
    // The body's progress, for the reader of an upload's answer (see sendWatched).
    private final AtomicInteger upload = new AtomicInteger(WRITING);
    private final Object flowLock = new Object();
    private boolean paused;
    private volatile MantaException aborted;
    private boolean sinkStarted;
    private long bytesSent;
    private Optional<String> sentMd5 = Optional.empty();
    private boolean bodySent;

    Exchange(
        RequestSpec spec,
        ResponseSink<?> sink,
        AtomicBoolean bodyOpened,
        Conn c,
        OperationDeadline deadline) {
      this.spec = spec;
      this.sink = sink;
      this.bodyOpened = bodyOpened;
      this.c = c;
      this.deadline = deadline;
    }

    CompletableFuture<HttpExchange.Response<Object>> run() {
      try {
        return exchange();
      } catch (MantaException e) {
        return fail(e);
      } catch (RuntimeException e) {
        return fail(
            new MantaException(
                0,
                MantaException.LOCAL_IO,
                String.valueOf(e.getMessage()),
                Optional.empty(),
                false,
                e));
      }
    }

    private CompletableFuture<HttpExchange.Response<Object>> fail(MantaException e) {
      MantaException cause = aborted != null ? aborted : e;
      releaseOnce(false);
      if (sinkStarted) {
        sink.onError(cause);
      }
      return CompletableFuture.failedFuture(cause);
    }

    private CompletableFuture<HttpExchange.Response<Object>> exchange() {
      BodySource src = spec.body();
      boolean expect =
          src != null
              && spec.expectContinue()
              && src.length() != 0
              && (src.length() < 0 || src.length() >= expectContinueThreshold);
      byte[] head = head(src, expect);
      Parsed early = null;
      if (src == null) {
        write(head, 0, head.length);
      } else if (!expect) {
        if (!oneWrite(src, head)) {
          return sendWatched(src, head);
        }
        sendBody(src, head);
      } else {
        write(head, 0, head.length);
        early = awaitContinue();
        if (early == null) {
          return sendWatched(src, null);
        }
      }
      Parsed r = early != null ? early : readFinalHead();
      return readResponse(r, early != null);
    }

    private byte[] head(BodySource src, boolean expect) {
      StringBuilder sb = new StringBuilder(512);
      sb.append(spec.method().name()).append(' ').append(spec.uri()).append(" HTTP/1.1\r\n");
      for (Map.Entry<String, String> h : spec.headers().entrySet()) {
        sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
      if (src == null) {
        if (spec.method().name().equals("PUT")) {
          sb.append("content-length: 0\r\n");
        }
      } else if (src.length() >= 0) {
        sb.append("content-length: ").append(src.length()).append("\r\n");
      } else {
        sb.append("transfer-encoding: chunked\r\n");
      }
      if (expect) {
        sb.append("expect: 100-continue\r\n");
      }
      sb.append("\r\n");
      return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Waits for 100 Continue: null to send the body, or the server's early final answer. */
    private Parsed awaitContinue() {
      long continueBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(expectContinueMillis);
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(continueBy - System.nanoTime());
        if (left <= 0) {
          return null; // RFC 9110 10.1.1: a server may ignore Expect; send after a while
        }
        Parsed p;
        try {
          if (c.pos == c.lim && !fillOrTimeout((int) Math.min(Integer.MAX_VALUE, left))) {
            deadline.check(); // the deadline, not the wait for 100 Continue, ended the read
            return null;
          }
          p = readHead();
        } catch (IOException e) {
          throw ioFailure(e, "waiting for 100 Continue");
        }
        if (p.status == 100) {
          return null;
        }
        if (p.status >= 200) {
          return p; // answered before the body: never send it, and close afterwards
        }
      }
    }

    /** Fills the read buffer; false when nothing came within {@code millis}. */
    private boolean fillOrTimeout(int millis) throws IOException {
      try {
        int n = read(c.buf, 0, c.buf.length, millis);
        if (n < 0) {
          throw new MantaException(
              0,
              MantaException.CONNECTION_CLOSED,
              "the connection closed before a response",
              Optional.empty(),
              true,
              null);
        }
        c.pos = 0;
        c.lim = n;
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      }
    }

    /** The connection goes back once, by whichever thread ends the exchange. */
    private void releaseOnce(boolean reusable) {
      if (released.compareAndSet(false, true)) {
        release(c, reusable);
      }
    }

    /** True for a small in-memory upload that goes out with its head in one write. */
    private boolean oneWrite(BodySource src, byte[] head) {
      byte[] whole = src.inMemory();
      return whole != null && head != null && head.length + whole.length <= IO_CHUNK;
    }

    /**
     * Sends a body in several writes while a reader thread waits for the answer. An answer before
     * the body's end (a server refusing the upload, then no longer reading) is read whole by the
     * reader, which then closes the connection to end the stalled write; the caller reports that
     * answer. Otherwise the reader hands the final head back and the caller reads the body.
     */
    private CompletableFuture<HttpExchange.Response<Object>> sendWatched(
        BodySource src, byte[] head) {
      CompletableFuture<Object> reader;
      try {
        reader = CompletableFuture.supplyAsync(this::watchForAnswer, readers);
      } catch (RejectedExecutionException e) {
        throw new IllegalStateException("client is closed", e);
      }
      try {
        sendBody(src, head);
      } catch (RuntimeException e) {
        if (upload.compareAndSet(WRITING, FAILED)) {
          c.abort(); // ends the reader
          throw e;
        }
        return answer(reader);
      }
      if (!upload.compareAndSet(WRITING, WRITTEN)) {
        return answer(reader); // answered just as the body ended: still an early answer
      }
      return readResponse((Parsed) joinReader(reader), false);
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<HttpExchange.Response<Object>> answer(
        CompletableFuture<Object> reader) {
      return (CompletableFuture<HttpExchange.Response<Object>>) joinReader(reader);
    }

    private Object joinReader(CompletableFuture<Object> reader) {
      try {
        return reader.join(); // the reader's reads are bounded: by SO_TIMEOUT and the deadline
      } catch (CompletionException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        throw e;
      }
    }

    /**
     * On the reader thread: waits for the first byte of the answer (as long as the body is still
     * going out, or for {@code requestTimeout} after its last write), then reads the final head.
     * Returns the head when the body was all sent, else the whole early answer (a future).
     */
    private Object watchForAnswer() {
      try {
        while (c.pos == c.lim && !fillOrTimeout(requestTimeoutMillis)) {
          int state = upload.get();
          if (state == FAILED) {
            throw stalled("waiting for the response"); // nobody waits for this one
          }
          if (state == WRITTEN && System.nanoTime() - c.lastProgress >= requestTimeoutNanos) {
            throw stalled("waiting for the response");
          }
        }
      } catch (IOException e) {
        throw ioFailure(e, "waiting for the response");
      }
      Parsed p = readFinalHead();
      if (!upload.compareAndSet(WRITING, ANSWERED)) {
        return p;
      }
      try {
        return readResponse(p, true);
      } finally {
        c.abort(); // the writer may be blocked on a server that stopped reading
      }
    }

    private void sendBody(BodySource src, byte[] head) {
      bodyOpened.set(true);
      MessageDigest md5 = Md5ChunkedInput.newMd5();
      byte[] whole = src.inMemory();
      if (oneWrite(src, head)) {
        // Small upload: head and body in one write, one segment.
        byte[] one = new byte[head.length + whole.length];
        System.arraycopy(head, 0, one, 0, head.length);
        System.arraycopy(whole, 0, one, head.length, whole.length);
        md5.update(whole);
        writeBody(one, 0, one.length);
        finishBody(md5, whole.length);
        return;
      }
      if (head != null) {
        writeBody(head, 0, head.length);
      }
      boolean chunked = src.length() < 0;
      long total = 0;
      if (whole != null) {
        md5.update(whole);
        for (int off = 0; off < whole.length; off += IO_CHUNK) {
          writeBody(whole, off, Math.min(IO_CHUNK, whole.length - off));
        }
        total = whole.length;
      } else {
        byte[] buf = chunks.get();
        try (InputStream in = src.openBlocking()) {
          // A declared length is what is sent: a longer stream is cut there, a shorter one fails.
          while (chunked || total < src.length()) {
            int want = chunked ? buf.length : (int) Math.min(buf.length, src.length() - total);
            int n;
            try {
              n = in.read(buf, 0, want);
            } catch (IOException e) {
              throw localRead(src, e);
            }
            if (n < 0) {
              break;
            }
            if (n == 0) {
              continue;
            }
            md5.update(buf, 0, n);
            if (chunked) {
              byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
              writeBody(size, 0, size.length);
              writeBody(buf, 0, n);
              writeBody(CRLF, 0, 2);
            } else {
              writeBody(buf, 0, n);
            }
            total += n;
          }
        } catch (IOException e) {
          throw localRead(src, e); // opening or closing the source
        }
        if (chunked) {
          byte[] end = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
          writeBody(end, 0, end.length);
        } else if (total != src.length()) {
          throw new MantaException(
              0,
              MantaException.LOCAL_IO,
              "cannot read the body "
                  + src.describe()
                  + ": stream ended after "
                  + total
                  + " of "
                  + src.length()
                  + " declared bytes",
              Optional.empty(),
              false,
              null);
        }
      }
      finishBody(md5, total);
    }

    private void finishBody(MessageDigest md5, long total) {
      bytesSent = total;
      sentMd5 = Optional.of(Base64.getEncoder().encodeToString(md5.digest()));
      bodySent = true;
    }

    private MantaException localRead(BodySource src, IOException e) {
      return new MantaException(
          0,
          MantaException.LOCAL_IO,
          "cannot read the body " + src.describe() + ": " + e.getMessage(),
          Optional.empty(),
          false,
          e);
    }

    /** Writes body bytes; a server that answers early (and closes) wins over the write error. */
    private void writeBody(byte[] b, int off, int len) {
      writeOrFail(b, off, len, "sending the request body");
    }

    private void write(byte[] b, int off, int len) {
      writeOrFail(b, off, len, "sending the request");
    }

    private void writeOrFail(byte[] b, int off, int len, String doing) {
      deadline.check();
      try {
        writeRaw(b, off, len);
      } catch (IOException e) {
        if (c.expired) {
          throw deadline.expired(e);
        }
        if (c.stalled) {
          throw stalled(doing + " (the write stalled: the server stopped reading)");
        }
        throw new MantaException(
            0,
            MantaException.CONNECTION_CLOSED,
            "the connection failed while " + doing + ": " + e.getMessage(),
            Optional.empty(),
            true,
            e);
      }
    }

    private void writeRaw(byte[] b, int off, int len) throws IOException {
      c.lastProgress = System.nanoTime();
      c.writing = true;
      try {
        c.out.write(b, off, len);
      } finally {
        c.writing = false;
        c.lastProgress = System.nanoTime();
      }
    }

    private MantaException stalled(String doing) {
      return new MantaException(
          0,
          MantaException.TIMEOUT,
          "no progress for " + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + " ms " + doing,
          Optional.empty(),
          true,
          null);
    }

    private Parsed readFinalHead() {
      try {
        while (true) {
          Parsed p = readHead();
          if (p.status >= 200) {
            return p;
          }
        }
      } catch (IOException e) {
        throw ioFailure(e, "waiting for the response");
      }
    }

    private MantaException ioFailure(IOException e, String doing) {
      if (deadline.passed()) {
        return deadline.expired(e);
      }
      if (e instanceof SocketTimeoutException) {
        return stalled(doing);
      }
      return new MantaException(
          0,
          MantaException.CONNECTION_CLOSED,
          "connection error " + doing + ": " + e,
          Optional.empty(),
          true,
          e);
    }

    private CompletableFuture<HttpExchange.Response<Object>> readResponse(
        Parsed p, boolean answeredEarly) {
      HttpResponse res =
          new DefaultHttpResponse(
              p.http10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(p.status),
              p.headers);
      boolean success = p.status >= 200 && p.status < 300 || p.status == 304;
      if (success && sink instanceof LiveBodySink) {
        return live(p, ((LiveBodySink) sink).verifyMd5());
      }
      if (success) {
        try {
          sinkStarted = true;
          sink.onHeaders(res, this);
        } catch (MantaException e) {
          sinkStarted = false;
          throw e;
        } catch (RuntimeException e) {
          sinkStarted = false;
          throw new MantaException(
              0, MantaException.LOCAL_IO, e.getMessage(), Optional.empty(), false, e);
        }
      }
      ErrorBody err = success ? null : new ErrorBody();
      boolean toClose = readBody(p, success, err);
      boolean reusable =
          !toClose && !answeredEarly && (spec.body() == null || bodySent) && keepAlive(p);
      releaseOnce(reusable);
      if (!success) {
        return CompletableFuture.completedFuture(
            new HttpExchange.Response<>(
                p.status, p.headers, null, err.bytes(), bytesSent, sentMd5));
      }
      CompletableFuture<?> value;
      try {
        value = sink.complete(res);
      } catch (RuntimeException e) {
        value = CompletableFuture.failedFuture(e);
      }
      awaitSink(value);
      long sent = bytesSent;
      Optional<String> md5 = bodySent ? sentMd5 : Optional.empty();
      return value.handle(
          (v, e) -> {
            if (e == null) {
              return new HttpExchange.Response<Object>(p.status, p.headers, v, null, sent, md5);
            }
            Throwable cause =
                e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw cause instanceof MantaException
                ? (MantaException) cause
                : new MantaException(
                    0,
                    MantaException.LOCAL_IO,
                    String.valueOf(cause.getMessage()),
                    Optional.empty(),
                    false,
                    cause);
          });
    }

    /**
     * Waits on the caller's thread for a sink that finishes on a worker (a file's last writes and
     * its MD5), so what follows (the operation's result, a retry) runs here and not on that worker.
     * The wait is bounded by the request timeout and the operation's deadline; past them the sink
     * finishes on its own and the result follows it there, as before.
     */
    private void awaitSink(CompletableFuture<?> value) {
      if (value.isDone()) {
        return;
      }
      try {
        value.get(deadline.bound(requestTimeoutMillis), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // handled by the caller of readResponse through the future itself
      }
    }

    private boolean keepAlive(Parsed p) {
      String conn = p.headers.get("connection");
      if (conn != null && conn.toLowerCase(Locale.ROOT).contains("close")) {
        return false;
      }
      return !p.http10 || (conn != null && conn.toLowerCase(Locale.ROOT).contains("keep-alive"));
    }

    /** Reads the body into the sink or the error buffer; true when the connection must close. */
    private boolean readBody(Parsed p, boolean success, ErrorBody err) {
      boolean none =
          spec.method().name().equals("HEAD")
              || p.status == 204
              || p.status == 304
              || p.status < 200;
      if (none) {
        return false;
      }
      String te = p.headers.get("transfer-encoding");
      try {
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
          readChunked(success, err);
          return false;
        }
        String cl = p.headers.get("content-length");
        if (cl != null) {
          long n = ResponseHeaders.parseLong(cl, -1);
          if (n < 0) {
            throw new MantaException(
                0,
                MantaException.BAD_RESPONSE,
                "malformed response from Manta: bad content-length " + cl,
                Optional.empty(),
                false,
                null);
          }
          readExactly(n, success, err);
          return false;
        }
        readToEnd(success, err);
        return true;
      } catch (SocketTimeoutException e) {
        throw stalled("reading the response body");
      } catch (IOException e) {
        if (aborted != null) {
          throw aborted;
        }
        if (deadline.passed()) {
          throw deadline.expired(e);
        }
        throw new MantaException(
            0,
            MantaException.CONNECTION_CLOSED,
            "connection error reading the response body: " + e,
            Optional.empty(),
            true,
            e);
      }
    }

    private void readExactly(long n, boolean success, ErrorBody err) throws IOException {
      long left = n;
      while (left > 0) {
        int got = readSome((int) Math.min(left, IO_CHUNK), success, err);
        if (got < 0) {
          throw truncated(n);
        }
        left -= got;
      }
    }

    private void readToEnd(boolean success, ErrorBody err) throws IOException {
      while (readSome(IO_CHUNK, success, err) >= 0) {
        // until the server closes
      }
    }

    private long chunkSize(String line) {
      int semi = line.indexOf(';');
      try {
        return Long.parseLong((semi >= 0 ? line.substring(0, semi) : line).trim(), 16);
      } catch (NumberFormatException e) {
        throw new MantaException(
            0,
            MantaException.BAD_RESPONSE,
            "malformed response from Manta: chunk size " + line,
            Optional.empty(),
            false,
            e);
      }
    }

    private void skipTrailers() throws IOException {
      while (true) {
        String t = readLine();
        if (t == null || t.isEmpty()) {
          return;
        }
      }
    }

    /**
     * Hands the body out as a stream its caller reads from the socket. The call ends here: what
     * follows is bounded by the request timeout per read, not by the operation's deadline.
     */
    private CompletableFuture<HttpExchange.Response<Object>> live(Parsed p, boolean verifyMd5) {
      LiveBody body = new LiveBody(p, verifyMd5);
      body.cleanable = ABANDONED_STREAMS.register(body, this::abandoned);
      deadline = OperationDeadline.NONE;
      c.deadline = OperationDeadline.NONE;
      return CompletableFuture.completedFuture(
          new HttpExchange.Response<>(p.status, p.headers, body, null, 0, Optional.empty()));
    }

    /**
     * Runs when a body stream became unreachable: unless it was read to its end or closed, its
     * connection (and pool slot) would otherwise be held until the client closes.
     */
    private void abandoned() {
      if (!released.get()) {
        LOG.warn(
            "a Manta object stream of {} was never closed; closing its connection (close"
                + " streams, e.g. with try-with-resources)",
            spec.uri());
        releaseOnce(false);
      }
    }

    /**
     * A response body read on the caller's thread straight from the connection, which goes back to
     * the pool when the body was read to its end and is closed when the stream closes before.
     */
    private final class LiveBody implements BodyStream {
      private final Parsed p;
      private final boolean chunked;
      private final boolean toEnd;
      private final boolean verifyMd5;
      private final MessageDigest md5 = Md5ChunkedInput.newMd5();
      private long left; // of the body (content-length) or of the current chunk
      private boolean inChunk; // chunked: a chunk was read, its CRLF comes before the next size
      private boolean done;
      private boolean closed;
      private IOException failure;
      // Deregistered once the connection went back: from then on there is nothing to clean.
      Cleaner.Cleanable cleanable;

      LiveBody(Parsed p, boolean verifyMd5) {
        this.p = p;
        this.verifyMd5 = verifyMd5;
        boolean none = spec.method().name().equals("HEAD") || p.status == 204 || p.status == 304;
        String te = p.headers.get("transfer-encoding");
        this.chunked = !none && te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        String cl = p.headers.get("content-length");
        if (none || chunked) {
          this.toEnd = false;
          this.left = 0;
        } else if (cl != null) {
          this.left = ResponseHeaders.parseLong(cl, -1);
          if (left < 0) {
            releaseOnce(false);
            throw malformed("bad content-length " + cl);
          }
          this.toEnd = false;
        } else {
          this.toEnd = true;
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
          throw new IOException("stream closed");
        }
        if (failure != null) {
          throw failure;
        }
        if (len == 0) {
          return 0;
        }
        if (done) {
          return -1;
        }
        int n;
        try {
          n = next(b, off, len);
        } catch (MantaException e) {
          throw failed(new IOException(e.getMessage(), e));
        } catch (SocketTimeoutException e) {
          throw failed(new IOException(stalled("reading the response body").getMessage(), e));
        } catch (IOException e) {
          throw failed(new IOException("connection error reading the response body: " + e, e));
        }
        if (n > 0) {
          md5.update(b, off, n);
          return n;
        }
        done = true;
        release(!toEnd && keepAlive(p));
        verify();
        return -1;
      }

      private IOException failed(IOException e) {
        failure = e;
        done = true;
        release(false);
        return e;
      }

      /** The next body bytes, without framing; -1 at the end of the body. */
      private int next(byte[] b, int off, int len) throws IOException {
        if (toEnd) {
          return take(b, off, len);
        }
        if (chunked && left == 0) {
          if (inChunk) {
            String end = readLine();
            if (end == null || !end.isEmpty()) {
              throw truncated(-1);
            }
          }
          String line = readLine();
          if (line == null) {
            throw truncated(-1);
          }
          left = chunkSize(line);
          inChunk = true;
          if (left == 0) {
            skipTrailers();
            return -1;
          }
        }
        if (left == 0) {
          return -1;
        }
        int n = take(b, off, (int) Math.min(len, left));
        if (n < 0) {
          throw truncated(-1);
        }
        left -= n;
        return n;
      }

      /** Buffered bytes first, then the socket. */
      private int take(byte[] b, int off, int len) throws IOException {
        if (c.pos < c.lim) {
          int n = Math.min(len, c.lim - c.pos);
          System.arraycopy(c.buf, c.pos, b, off, n);
          c.pos += n;
          return n;
        }
        return Exchange.this.read(b, off, len, requestTimeoutMillis);
      }

      private void verify() throws IOException {
        if (!verifyMd5) {
          return;
        }
        String expected = p.headers.get("content-md5");
        String actual = Base64.getEncoder().encodeToString(md5.digest());
        if (expected != null && !expected.equals(actual)) {
          failure =
              new IOException(
                  new MantaException(
                      0,
                      MantaException.MD5_MISMATCH,
                      "received bytes have MD5 " + actual + " but the object's is " + expected,
                      Optional.empty(),
                      false,
                      null));
          throw failure;
        }
      }

      private void release(boolean reusable) {
        releaseOnce(reusable);
        if (cleanable != null) {
          cleanable.clean();
        }
      }

      @Override
      public int available() {
        return done || chunked ? 0 : (int) Math.min(c.lim - c.pos, toEnd ? Long.MAX_VALUE : left);
      }

      @Override
      public void close() {
        if (closed) {
          return;
        }
        closed = true;
        if (!done) {
          done = true;
          release(false); // the rest of the body is still on the way: not reusable
        }
      }
    }

    private void readChunked(boolean success, ErrorBody err) throws IOException {
      while (true) {
        String line = readLine();
        if (line == null) {
          throw truncated(-1);
        }
        long size = chunkSize(line);
        if (size == 0) {
          skipTrailers();
          return;
        }
        long left = size;
        while (left > 0) {
          int got = readSome((int) Math.min(left, IO_CHUNK), success, err);
          if (got < 0) {
            throw truncated(-1);
          }
          left -= got;
        }
        String end = readLine();
        if (end == null || !end.isEmpty()) {
          throw truncated(-1);
        }
      }
    }

    /**
     * Reads up to {@code max} body bytes (buffered ones first, then straight from the socket into a
     * large array) and hands them on; -1 at end of stream.
     */
    private int readSome(int max, boolean success, ErrorBody err) throws IOException {
      byte[] b;
      int off;
      int n;
      if (c.pos < c.lim) {
        b = c.buf;
        off = c.pos;
        n = Math.min(max, c.lim - c.pos);
        c.pos += n;
      } else {
        // A sink that keeps the bytes (the file sink queues them for its worker) gets its own
        // array; the others copy, so one array per thread serves every read.
        boolean lend = success && sink.retainsData();
        b = lend ? borrow() : chunks.get();
        off = 0;
        n = read(b, 0, Math.min(max, b.length), requestTimeoutMillis);
        if (n < 0) {
          if (lend) {
            lent.offer(b);
          }
          return -1;
        }
        if (lend) {
          deliver(lendable(b, n));
          return n;
        }
      }
      if (success) {
        deliver(Unpooled.wrappedBuffer(b, off, n));
      } else {
        err.add(b, off, n);
      }
      return n;
    }

    private void deliver(ByteBuf data) {
      if (aborted != null) {
        data.release();
        throw aborted;
      }
      boolean more;
      try {
        more = sink.onData(data);
      } finally {
        data.release(); // the sink retained what it keeps
      }
      if (!more) {
        synchronized (flowLock) {
          paused = true;
          while (paused && aborted == null) {
            try {
              // The sink resumes when it drained; a bound keeps a lost resume from hanging.
              flowLock.wait(deadline.bound(requestTimeoutMillis));
              deadline.check();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new MantaException(
                  0, MantaException.TIMEOUT, "interrupted", Optional.empty(), false, e);
            }
          }
        }
      }
      if (aborted != null) {
        throw aborted;
      }
    }

    @Override
    public void resume() {
      synchronized (flowLock) {
        paused = false;
        flowLock.notifyAll();
      }
    }

    @Override
    public void abort(Throwable cause) {
      aborted =
          cause instanceof MantaException
              ? (MantaException) cause
              : new MantaException(
                  0,
                  MantaException.LOCAL_IO,
                  String.valueOf(cause.getMessage()),
                  Optional.empty(),
                  false,
                  cause);
      synchronized (flowLock) {
        flowLock.notifyAll();
      }
    }

    private MantaException truncated(long announced) {
      return new MantaException(
          0,
          MantaException.CONNECTION_CLOSED,
          "the connection closed in the middle of the response body"
              + (announced >= 0 ? " (" + announced + " bytes announced)" : ""),
          Optional.empty(),
          true,
          null);
    }

    /**
     * Reads from the socket waiting at most {@code millis} for a byte, or less when the operation
     * deadline is nearer; past the deadline the operation's timeout, not a no-progress one.
     */
    private int read(byte[] b, int off, int len, int millis) throws IOException {
      deadline.check();
      int bound = deadline.bound(millis);
      c.readTimeout(bound);
      try {
        return c.in.read(b, off, len);
      } catch (SocketTimeoutException e) {
        if (bound < millis || deadline.passed()) {
          throw deadline.expired(e);
        }
        throw e;
      }
    }

    // -------------------------------------------------------------- head parsing

    private Parsed readHead() throws IOException {
      String status = readLine();
      if (status == null) {
        throw new MantaException(
            0,
            MantaException.CONNECTION_CLOSED,
            "the connection closed before a response",
            Optional.empty(),
            true,
            null);
      }
      if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
        throw malformed("status line " + abbreviate(status));
      }
      int code;
      try {
        code = Integer.parseInt(status.substring(9, 12));
      } catch (NumberFormatException e) {
        throw malformed("status line " + abbreviate(status));
      }
      HttpHeaders headers = HEADERS.newHeaders();
      int total = status.length();
      while (true) {
        String line = readLine();
        if (line == null) {
          throw new MantaException(
              0,
              MantaException.CONNECTION_CLOSED,
              "the connection closed before a response",
              Optional.empty(),
              true,
              null);
        }
        if (line.isEmpty()) {
          break;
        }
        total += line.length() + 2;
        if (total > MAX_HEADER_BYTES) {
          throw malformed("response headers exceed " + MAX_HEADER_BYTES + " bytes");
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw malformed("header line " + abbreviate(line));
        }
        headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
      return new Parsed(code, headers, status.startsWith("HTTP/1.0"));
    }

    /** A CRLF (or LF) terminated line, without it; null at end of stream before any byte. */
    private String readLine() throws IOException {
      StringBuilder sb = null;
      while (true) {
        if (c.pos == c.lim) {
          int n = read(c.buf, 0, c.buf.length, requestTimeoutMillis);
          if (n < 0) {
            if (sb == null) {
              return null;
            }
            throw truncated(-1);
          }
          c.pos = 0;
          c.lim = n;
        }
        int start = c.pos;
        int i = start;
        while (i < c.lim && c.buf[i] != '\n') {
          i++;
        }
        int len = i - start;
        if (sb == null && i < c.lim) {
          c.pos = i + 1;
          if (len > 0 && c.buf[i - 1] == '\r') {
            len--;
          }
          return new String(c.buf, start, len, StandardCharsets.ISO_8859_1);
        }
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(new String(c.buf, start, len, StandardCharsets.ISO_8859_1));
        if (sb.length() > MAX_HEADER_BYTES) {
          throw malformed("response headers exceed " + MAX_HEADER_BYTES + " bytes");
        }
        if (i < c.lim) {
          c.pos = i + 1;
          int l = sb.length();
          if (l > 0 && sb.charAt(l - 1) == '\r') {
            sb.setLength(l - 1);
          }
          return sb.toString();
        }
        c.pos = c.lim;
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static MantaException malformed(String what) {
    return new MantaException(
        0,
        MantaException.BAD_RESPONSE,
        "malformed response from Manta: " + what,
        Optional.empty(),
        false,
        null);
  }

  /** A response head. */
  private record Parsed(int status, HttpHeaders headers, boolean http10) {}

  /** The first 64 KiB of an error body; the rest is read and dropped to keep the connection. */
  private static final class ErrorBody {
    private byte[] data = new byte[256];
    private int size;

    void add(byte[] b, int off, int n) {
      int take = Math.min(n, MAX_ERROR_BODY - size);
      if (take <= 0) {
        return;
      }
      if (size + take > data.length) {
        data = java.util.Arrays.copyOf(data, Math.max(size + take, data.length * 2));
      }
      System.arraycopy(b, off, data, size, take);
      size += take;
    }

    byte[] bytes() {
      return java.util.Arrays.copyOf(data, size);
    }
  }

  // ------------------------------------------------------------------ scheduling, closing

  /** Retries wait on the calling thread: it is the caller's thread that waits for the answer. */
  @Override
  public void schedule(Runnable task, long delayMillis) {
    if (closed) {
      throw new RejectedExecutionException("client is closed");
    }
    OperationDeadline d = OperationDeadline.current();
    try {
      // Past the deadline the next attempt fails at once with the operation's timeout.
      Thread.sleep(
          Math.max(0, Math.min(delayMillis, TimeUnit.NANOSECONDS.toMillis(d.remainingNanos()))));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RejectedExecutionException("interrupted while waiting to retry", e);
    }
    task.run();
  }

  @Override
  public void close() {
    closed = true;
    watchdog.shutdownNow();
    readers.shutdownNow();
    closeIdle();
    for (Conn c : leased) {
      c.abort();
    }
    LOG.debug("socket transport to {} closed", hostPort);
  }
}
