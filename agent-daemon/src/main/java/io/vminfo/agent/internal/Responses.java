package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.vminfo.core.internal.Json;

/** Builds complete responses with the headers every API answer carries. */
public final class Responses {
  public static final AsciiString JSON = AsciiString.cached("application/json");
  public static final AsciiString PROMETHEUS =
      AsciiString.cached("text/plain; version=0.0.4; charset=utf-8");
  private static final AsciiString NO_STORE = AsciiString.cached("no-store");

  // our own header values need no per-response validation (the deprecated boolean flag did the
  // same)
  private static final HttpHeadersFactory HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);
  private static final HttpHeadersFactory TRAILERS =
      DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

  private Responses() {}

  public static FullHttpResponse json(HttpResponseStatus status, ByteBuf body) {
    return of(status, JSON, body);
  }

  public static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
    return of(status, JSON, Unpooled.wrappedBuffer(Json.bytes(body)));
  }

  public static FullHttpResponse of(HttpResponseStatus status, AsciiString type, ByteBuf body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body, HEADERS, TRAILERS);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, type)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
    return r;
  }

  /** {@code {"code":...,"message":...}} with the error's status. */
  public static FullHttpResponse error(ApiError e) {
    ObjectNode body = Json.NODES.objectNode();
    body.put("code", e.code());
    body.put("message", e.getMessage());
    return json(e.status(), body);
  }

  /** An error after which the connection closes (bad framing, timeouts). */
  public static FullHttpResponse fatal(ApiError e) {
    FullHttpResponse r = error(e);
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }
}
