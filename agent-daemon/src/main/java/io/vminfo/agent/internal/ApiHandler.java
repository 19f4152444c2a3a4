package io.vminfo.agent.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.vminfo.core.SubscribeRequest;
import io.vminfo.core.Subscription;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests of one connection. Everything runs on the connection's event loop and is
 * quick (lock-free store reads, pre-serialized VM bytes); {@code /events} turns the connection into
 * a {@link FeedSession} and nothing else is read from it after that.
 */
public final class ApiHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

  /** The API takes no request bodies; a small one (some clients send {} with GET) is ignored. */
  static final long MAX_BODY = 64 * 1024;

  private final Api api;
  private final FeedRegistry feeds;
  private final AgentMetrics metrics;
  private final Clock clock;
  private final Timers timers;
  private final Supplier<RuntimeSettings> settings;
  private final Supplier<Boolean> stopping;
  private final Optional<JobsApi> jobs;
  private ConnectionGuard guard;
  private FeedSession feed;
  private boolean closing;

  public ApiHandler(
      Api api,
      FeedRegistry feeds,
      AgentMetrics metrics,
      Clock clock,
      Timers timers,
      Supplier<RuntimeSettings> settings,
      Supplier<Boolean> stopping,
      Optional<JobsApi> jobs) {
    this.api = api;
    this.jobs = jobs;
    this.feeds = feeds;
    this.metrics = metrics;
    this.clock = clock;
    this.timers = timers;
    this.settings = settings;
    this.stopping = stopping;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    guard = ctx.pipeline().get(ConnectionGuard.class);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (feed != null || closing) {
        return; // a streaming (or condemned) connection reads nothing more
      }
      if (msg instanceof HttpRequest req) {
        onRequest(ctx, req);
      } else if (msg instanceof HttpContent c && c.decoderResult().isFailure()) {
        fatal(ctx, "other", ApiError.badRequest("malformed request body framing"));
        return;
      }
      if (msg instanceof LastHttpContent && guard != null && !closing) {
        guard.requestDone();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (feed != null) {
      feed.writabilityChanged();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
    DecoderResult result = req.decoderResult();
    if (result.isFailure()) {
      fatal(ctx, "other", decodeError(result.cause()));
      return;
    }
    if (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > MAX_BODY) {
      fatal(
          ctx,
          "other",
          new ApiError(
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
              "PayloadTooLarge",
              "this API takes no request body (at most " + MAX_BODY + " bytes are tolerated)"));
      return;
    }
    if ((HttpMethod.POST.equals(req.method()) || HttpMethod.DELETE.equals(req.method()))
        && api.alarms().filter(AlarmsApi::writes).isPresent()
        && req.uri().startsWith("/alarms/suppressions")) {
      onAlarmsWrite(ctx, req, api.alarms().get());
      return;
    }
    if (HttpMethod.POST.equals(req.method()) && jobs.isPresent()) {
      onPost(ctx, req, jobs.get());
      return;
    }
    if (!HttpMethod.GET.equals(req.method())) {
      String allowed = jobs.isPresent() ? "GET, POST" : "GET";
      FullHttpResponse r =
          Responses.error(
              new ApiError(
                  HttpResponseStatus.METHOD_NOT_ALLOWED,
                  "MethodNotAllowed",
                  RequestTarget.shorten(req.method().name())
                      + " is not supported; this API only answers "
                      + allowed));
      r.headers().set(HttpHeaderNames.ALLOW, allowed);
      respond(ctx, req, "other", r);
      return;
    }
    String route = "other";
    try {
      RequestTarget target = RequestTarget.parse(req.uri());
      List<String> seg = target.segments();
      String first = seg.isEmpty() ? "" : seg.get(0);
      if (seg.size() == 1 && first.equals("events")) {
        startFeed(ctx, req, target);
        return;
      }
      FullHttpResponse response;
      if (seg.size() == 1 && first.equals("ping")) {
        route = "ping";
        response = api.ping(target);
      } else if (seg.size() == 1 && first.equals("status")) {
        route = "status";
        response = api.status(target);
      } else if (seg.size() == 1 && first.equals("vms")) {
        route = "vms";
        response = api.vms(target, ctx.alloc());
      } else if (seg.size() == 2 && first.equals("vms")) {
        route = "vm";
        response = api.vm(target, seg.get(1));
      } else if (seg.size() == 1 && first.equals("usage")) {
        route = "usage";
        response = api.usage(target);
      } else if (seg.size() == 1 && first.equals("metrics")) {
        route = "metrics";
        response = api.metrics(target);
      } else if (first.equals("alarms")
          && api.alarms().isPresent()
          && (seg.size() == 1 || (seg.size() == 2 && seg.get(1).equals("suppressions")))) {
        route = seg.size() == 1 ? "alarms" : "alarm_suppressions";
        response =
            seg.size() == 1 ? api.alarms().get().alarms() : api.alarms().get().suppressions();
      } else if (jobs.isPresent() && seg.size() == 1 && first.equals("jobs")) {
        route = "jobs";
        response = jobs.get().list(target);
      } else if (jobs.isPresent() && seg.size() == 2 && first.equals("jobs")) {
        route = "job";
        response = jobs.get().job(target, seg.get(1));
      } else if (jobs.isPresent()
          && seg.size() == 3
          && first.equals("vms")
          && seg.get(2).equals("jobs")) {
        route = "vm_jobs";
        response = jobs.get().ofVm(target, seg.get(1));
      } else {
        throw ApiError.notFound("Unsupported URL Path: " + RequestTarget.shorten(target.path()));
      }
      respond(ctx, req, route, response);
    } catch (ApiError e) {
      respond(ctx, req, route, Responses.error(e));
    } catch (RuntimeException e) {
      internalError(ctx, req, route, e);
    }
  }

  /** {@code POST /alarms/suppressions?...}, {@code DELETE /alarms/suppressions/{id}}. */
  private void onAlarmsWrite(ChannelHandlerContext ctx, HttpRequest req, AlarmsApi alarms) {
    serve(
        ctx,
        req,
        "alarm_suppressions",
        () -> {
          writable();
          RequestTarget target = RequestTarget.parse(req.uri());
          List<String> seg = target.segments();
          if (HttpMethod.POST.equals(req.method()) && seg.size() == 2) {
            return alarms.suppress(target, alarms.authorize(req, ctx.channel().remoteAddress()));
          } else if (HttpMethod.DELETE.equals(req.method()) && seg.size() == 3) {
            return alarms.lift(seg.get(2), alarms.authorize(req, ctx.channel().remoteAddress()));
          }
          throw ApiError.notFound("Unsupported URL Path: " + RequestTarget.shorten(target.path()));
        });
  }

  /** {@code POST /vms/{id}/{action}}: queues a guest action (answered at once, 202). */
  private void onPost(ChannelHandlerContext ctx, HttpRequest req, JobsApi jobsApi) {
    serve(
        ctx,
        req,
        "action",
        () -> {
          writable();
          RequestTarget target = RequestTarget.parse(req.uri());
          List<String> seg = target.segments();
          if (seg.size() != 3 || !seg.get(0).equals("vms")) {
            throw ApiError.notFound(
                "Unsupported URL Path: " + RequestTarget.shorten(target.path()));
          }
          String requester = jobsApi.authorize(req, ctx.channel().remoteAddress());
          return jobsApi.submit(target, seg.get(1), seg.get(2), requester);
        });
  }

  private void writable() throws ApiError {
    if (stopping.get()) {
      throw ApiError.unavailable("the agent is shutting down");
    }
  }

  /** One write route's answer. */
  @FunctionalInterface
  private interface Answer {
    FullHttpResponse get() throws ApiError;
  }

  /** Answers, turning a refusal into its error body and a bug into a logged 500. */
  private void serve(ChannelHandlerContext ctx, HttpRequest req, String route, Answer answer) {
    try {
      respond(ctx, req, route, answer.get());
    } catch (ApiError e) {
      respond(ctx, req, route, Responses.error(e));
    } catch (RuntimeException e) {
      internalError(ctx, req, route, e);
    }
  }

  private void internalError(
      ChannelHandlerContext ctx, HttpRequest req, String route, RuntimeException e) {
    log.error("request {} {} failed", req.method(), RequestTarget.shorten(req.uri()), e);
    respond(
        ctx,
        req,
        route,
        Responses.error(
            new ApiError(
                HttpResponseStatus.INTERNAL_SERVER_ERROR,
                "InternalError",
                "internal error: " + e.getClass().getSimpleName())));
  }

  private void startFeed(ChannelHandlerContext ctx, HttpRequest req, RequestTarget target)
      throws ApiError {
    RuntimeSettings rs = settings.get();
    if (stopping.get()) {
      throw ApiError.unavailable("the agent is shutting down");
    }
    if (feeds.size() >= rs.maxSubscribers()) {
      throw ApiError.unavailable(
          "too many event subscribers (" + rs.maxSubscribers() + "); try again later");
    }
    String ua =
        Optional.ofNullable(req.headers().get(HttpHeaderNames.USER_AGENT))
            .map(RequestTarget::shorten)
            .orElse("");
    SubscribeRequest request = api.subscribeRequest(target, ua);
    Optional<java.time.Duration> heartbeat = api.heartbeat(target, rs.defaultHeartbeat());
    Subscription sub;
    try {
      sub = api.store().subscribe(request);
    } catch (IllegalStateException e) {
      throw ApiError.unavailable("the agent is shutting down");
    }
    guard.startStreaming();
    metrics.request("events", 200);
    String remote =
        ctx.channel().remoteAddress() instanceof InetSocketAddress a
            ? a.getAddress().getHostAddress() + ":" + a.getPort()
            : String.valueOf(ctx.channel().remoteAddress());
    feeds.add(new FeedRegistry.Entry(sub.id(), remote, ua, clock.instant()));
    boolean chunked = !HttpVersion.HTTP_1_0.equals(req.protocolVersion());
    feed =
        new FeedSession(
            ctx.channel(),
            sub,
            api.store().epoch(),
            clock,
            timers,
            heartbeat,
            feeds,
            chunked,
            api.readyLines());
    feed.start();
  }

  private void respond(
      ChannelHandlerContext ctx, HttpRequest req, String route, FullHttpResponse response) {
    metrics.request(route, response.status().code());
    if (stopping.get()) {
      response.headers().set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (!HttpUtil.isKeepAlive(req)) {
      response.headers().set(HttpHeaderNames.CONNECTION, "close");
    }
    ctx.writeAndFlush(response);
  }

  private void fatal(ChannelHandlerContext ctx, String route, ApiError e) {
    closing = true;
    metrics.request(route, e.status().code());
    ctx.writeAndFlush(Responses.fatal(e)).addListener(ChannelFutureListener.CLOSE);
  }

  private static ApiError decodeError(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new ApiError(
          HttpResponseStatus.REQUEST_URI_TOO_LONG, "UriTooLong", "the request line is too long");
    }
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      return new ApiError(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "RequestHeaderFieldsTooLarge",
          "the request headers are too large");
    }
    return ApiError.badRequest("malformed HTTP request");
  }
}
