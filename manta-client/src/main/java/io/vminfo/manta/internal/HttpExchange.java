package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.vminfo.manta.MantaException;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP request/response on one pooled connection, driven on the connection's event loop.
 * Handles {@code Expect: 100-continue} (the body waits for the server's go-ahead, and is never sent
 * when the server answers first), streams the body with MD5, applies back-pressure through the
 * sink, and fails on lack of progress, early close or a truncated body.
 */
public final class HttpExchange implements ResponseSink.Flow {
  /** A complete response: success bodies went to the sink, error bodies are here. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or used as a key
  public record Response<T>(
      int status,
      HttpHeaders headers,
      T body,
      byte[] errorBody,
      long bytesSent,
      Optional<String> sentMd5) {}

  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final RequestSpec spec;
  private final ResponseSink<?> sink;
  private final ConnectionPool pool;
  private final long timeoutNanos;
  private final long expectContinueMillis;
  private final long expectContinueThreshold;
  private final Executor bodyWorkers;
  private final CompletableFuture<Response<Object>> result = new CompletableFuture<>();

  private ChannelHandlerContext ctx;
  private ClientHandler handler;
  private ScheduledFuture<?> timer;
  private ScheduledFuture<?> expectTimer;
  private long lastProgress;
  private boolean awaitingContinue;
  private boolean bodyStarted;
  private boolean bodySent;
  private boolean skipInterimEnd;
  private Md5ChunkedInput body;
  private HttpResponse response;
  private boolean success;
  private ByteBuf errorBody;
  private boolean paused;
  private boolean done;
  private boolean reading;

  public HttpExchange(
      RequestSpec spec,
      ResponseSink<?> sink,
      ConnectionPool pool,
      long timeoutMillis,
      long expectContinueMillis,
      long expectContinueThreshold,
      Executor bodyWorkers) {
    this.spec = spec;
    this.bodyWorkers = bodyWorkers;
    this.expectContinueThreshold = expectContinueThreshold;
    this.sink = sink;
    this.pool = pool;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    this.expectContinueMillis = expectContinueMillis;
  }

  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<Response<T>> result() {
    return (CompletableFuture<Response<T>>) (CompletableFuture<?>) result;
  }

  /** Runs the exchange on {@code ch}; must be called once. */
  public void start(Channel ch) {
    ch.eventLoop()
        .execute(
            () -> {
              ClientHandler h = ch.pipeline().get(ClientHandler.class);
              if (h == null || !ch.isActive()) {
                failNow(closed("the connection closed before the request was sent"), ch);
                return;
              }
              h.begin(this);
            });
  }

  void begin(ChannelHandlerContext context, ClientHandler owner) {
    this.ctx = context;
    this.handler = owner;
    lastProgress = System.nanoTime();
    long period = Math.max(50, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4));
    timer =
        ctx.executor()
            .scheduleAtFixedRate(this::checkProgress, period, period, TimeUnit.MILLISECONDS);

    HttpRequest req;
    BodySource src = spec.body();
    if (src == null) {
      req =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, spec.method(), spec.uri(), Unpooled.EMPTY_BUFFER);
      if (spec.method().name().equals("PUT")) {
        req.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      }
    } else {
      req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, spec.method(), spec.uri());
      if (src.length() >= 0) {
        req.headers().set(HttpHeaderNames.CONTENT_LENGTH, src.length());
      } else {
        req.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
    for (Map.Entry<String, String> h : spec.headers().entrySet()) {
      req.headers().set(h.getKey(), h.getValue());
    }
    boolean expect =
        src != null
            && spec.expectContinue()
            && src.length() != 0
            && (src.length() < 0 || src.length() >= expectContinueThreshold);
    if (expect) {
      req.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
    }
    // Without a wait for 100 Continue the head and the body leave in one flush.
    io.netty.util.concurrent.Future<Void> sent =
        src != null && !expect ? ctx.write(req) : ctx.writeAndFlush(req);
    sent.addListener(
        f -> {
          if (!f.isSuccess()) {
            fail(closed("cannot send the request: " + f.cause().getMessage()));
          }
        });
    if (src != null) {
      if (expect) {
        awaitingContinue = true;
        // RFC 7231 5.1.1: a server that ignores Expect never answers 100; send anyway after a
        // while.
        expectTimer =
            ctx.executor().schedule(this::sendBody, expectContinueMillis, TimeUnit.MILLISECONDS);
      } else {
        sendBody();
      }
    }
    read();
  }

  private void sendBody() {
    if (bodyStarted || done) {
      return;
    }
    awaitingContinue = false;
    bodyStarted = true;
    try {
      ChannelHandlerContext c = ctx;
      body =
          new Md5ChunkedInput(
              spec.body()
                  .open(
                      bodyWorkers,
                      () -> {
                        ChunkedWriteHandler writer = c.pipeline().get(ChunkedWriteHandler.class);
                        if (writer != null) {
                          writer.resumeTransfer();
                        }
                      }),
              () -> lastProgress = System.nanoTime());
    } catch (IOException | RuntimeException e) {
      fail(
          new MantaException(
              0,
              MantaException.LOCAL_IO,
              "cannot read the body " + spec.body().describe() + ": " + e.getMessage(),
              Optional.empty(),
              false,
              e));
      return;
    }
    ctx.writeAndFlush(new HttpChunkedInput(body))
        .addListener(
            f -> {
              if (f.isSuccess()) {
                bodySent = true;
                lastProgress = System.nanoTime();
              } else if (body.localFailure() != null) {
                fail(
                    new MantaException(
                        0,
                        MantaException.LOCAL_IO,
                        "cannot read the body "
                            + spec.body().describe()
                            + ": "
                            + body.localFailure().getMessage(),
                        Optional.empty(),
                        false,
                        body.localFailure()));
              } else if (response == null) {
                fail(
                    closed(
                        "the connection failed while sending the body: " + f.cause().getMessage()));
              }
            });
  }

  void onMessage(HttpObject msg) {
    if (done) {
      return;
    }
    lastProgress = System.nanoTime();
    if (msg.decoderResult().isFailure()) {
      fail(
          new MantaException(
              0,
              MantaException.BAD_RESPONSE,
              "malformed response from Manta: " + msg.decoderResult().cause().getMessage(),
              Optional.empty(),
              false,
              msg.decoderResult().cause()));
      return;
    }
    if (msg instanceof HttpResponse) {
      HttpResponse r = (HttpResponse) msg;
      int code = r.status().code();
      if (code >= 100 && code < 200) {
        skipInterimEnd = true;
        if (code == 100 && awaitingContinue) {
          cancel(expectTimer);
          sendBody();
        }
        return;
      }
      response = r;
      if (awaitingContinue) {
        // The server answered before asking for the body: never send it.
        awaitingContinue = false;
        cancel(expectTimer);
      }
      success = code >= 200 && code < 300 || code == 304;
      if (success) {
        try {
          sink.onHeaders(r, this);
        } catch (MantaException e) {
          fail(e);
          return;
        } catch (RuntimeException e) {
          fail(
              new MantaException(
                  0, MantaException.LOCAL_IO, e.getMessage(), Optional.empty(), false, e));
          return;
        }
      } else {
        errorBody = ctx.alloc().heapBuffer(256);
      }
    }
    if (msg instanceof HttpContent) {
      if (skipInterimEnd && response == null) {
        if (msg instanceof LastHttpContent) {
          skipInterimEnd = false;
        }
        return;
      }
      ByteBuf data = ((HttpContent) msg).content();
      if (data.isReadable()) {
        if (success) {
          if (!sink.onData(data)) {
            paused = !done;
          }
        } else if (errorBody.readableBytes() < MAX_ERROR_BODY) {
          errorBody.writeBytes(
              data, Math.min(data.readableBytes(), MAX_ERROR_BODY - errorBody.readableBytes()));
        }
      }
      if (msg instanceof LastHttpContent && !done) {
        finish();
      }
    }
  }

  void onReadComplete() {
    reading = false;
    if (!done && !paused) {
      read();
    }
  }

  private void read() {
    if (!reading) {
      reading = true;
      ctx.read();
    }
  }

  void onClosed() {
    if (done) {
      return;
    }
    if (response == null) {
      fail(closed("the connection closed before a response"));
    } else {
      long expected = HttpUtil.getContentLength(response, -1L);
      fail(
          closed(
              "the connection closed in the middle of the response body"
                  + (expected >= 0 ? " (" + expected + " bytes announced)" : "")));
    }
  }

  void onError(Throwable cause) {
    if (!done) {
      fail(closed("connection error: " + cause));
    }
  }

  @Override
  public void resume() {
    ctx.executor()
        .execute(
            () -> {
              if (paused && !done) {
                paused = false;
                lastProgress = System.nanoTime();
                read();
              }
            });
  }

  @Override
  public void abort(Throwable cause) {
    ctx.executor()
        .execute(
            () ->
                fail(
                    cause instanceof MantaException
                        ? (MantaException) cause
                        : new MantaException(
                            0,
                            MantaException.LOCAL_IO,
                            String.valueOf(cause.getMessage()),
                            Optional.empty(),
                            false,
                            cause)));
  }

  private void checkProgress() {
    if (done) {
      return;
    }
    if (paused) {
      lastProgress = System.nanoTime(); // the reader is slow, not the server
      return;
    }
    if (System.nanoTime() - lastProgress > timeoutNanos) {
      fail(
          new MantaException(
              0,
              MantaException.TIMEOUT,
              "no progress for "
                  + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                  + " ms "
                  + (response != null
                      ? "reading the response body"
                      : body != null && !bodySent
                          ? "sending the request body (the write stalled: the server stopped"
                              + " reading)"
                          : "waiting for the response"),
              Optional.empty(),
              true,
              null));
    }
  }

  private void finish() {
    done = true;
    cleanup();
    boolean reusable = (spec.body() == null || bodySent) && HttpUtil.isKeepAlive(response);
    Channel ch = ctx.channel();
    handler.end(this);
    HttpResponse r = response;
    long sentBytes = body == null ? 0 : body.bytes();
    Optional<String> sentMd5 =
        body == null || !bodySent ? Optional.empty() : Optional.of(body.md5());
    if (!success) {
      byte[] err = new byte[errorBody.readableBytes()];
      errorBody.readBytes(err);
      releaseErrorBody();
      pool.release(ch, reusable);
      result.complete(
          new Response<>(r.status().code(), r.headers(), null, err, sentBytes, sentMd5));
      return;
    }
    CompletableFuture<?> value;
    try {
      value = sink.complete(r);
    } catch (RuntimeException e) {
      value = CompletableFuture.failedFuture(e);
    }
    // The connection is free as soon as the response is read, whatever the sink still does.
    pool.release(ch, reusable);
    value.whenComplete(
        (v, e) -> {
          if (e == null) {
            result.complete(
                new Response<>(r.status().code(), r.headers(), v, null, sentBytes, sentMd5));
            return;
          }
          Throwable cause =
              e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                  ? e.getCause()
                  : e;
          result.completeExceptionally(
              cause instanceof MantaException
                  ? cause
                  : new MantaException(
                      0,
                      MantaException.LOCAL_IO,
                      String.valueOf(cause.getMessage()),
                      Optional.empty(),
                      false,
                      cause));
        });
  }

  private void fail(MantaException e) {
    if (done) {
      return;
    }
    done = true;
    cleanup();
    releaseErrorBody();
    if (handler != null) {
      handler.end(this);
    }
    try {
      if (success) {
        sink.onError(e);
      }
    } finally {
      if (ctx != null) {
        ctx.channel().close();
      }
      result.completeExceptionally(e);
    }
  }

  private void failNow(MantaException e, Channel ch) {
    done = true;
    ch.close();
    result.completeExceptionally(e);
  }

  private void releaseErrorBody() {
    if (errorBody != null) {
      errorBody.release();
      errorBody = null;
    }
  }

  private void cleanup() {
    cancel(timer);
    cancel(expectTimer);
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  /** True when the response headers had arrived: then a retry would repeat a delivered answer. */
  boolean sawResponse() {
    return response != null;
  }

  private static MantaException closed(String message) {
    return new MantaException(
        0, MantaException.CONNECTION_CLOSED, message, Optional.empty(), true, null);
  }
}
