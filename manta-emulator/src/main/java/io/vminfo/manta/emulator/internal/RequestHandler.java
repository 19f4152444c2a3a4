package io.vminfo.manta.emulator.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.util.ReferenceCountUtil;
import io.vminfo.manta.emulator.Faults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection: Manta's object and directory API over HTTP/1.1 keep-alive. Requests are
 * validated completely (auth, path, parent, headers) before {@code 100 Continue} is sent, so a
 * client that waits for it never uploads a body that would be refused.
 */
public final class RequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);
  static final String DIR_TYPE = "application/json; type=directory";
  static final String DIR_LIST_TYPE = "application/x-json-stream; type=directory";
  static final String LINK_TYPE = "application/json; type=link";
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.US)
          .withZone(ZoneOffset.UTC);
  private static final int MAX_METADATA_BYTES = 4 * 1024;
  private static final int DEFAULT_LIMIT = 256;
  private static final String ZERO_MD5 = "1B2M2Y8AsgTpgAmY7PhCfg==";
  private static final ObjectMapper JSON = new ObjectMapper();

  private enum Mode {
    IDLE,
    DISCARD,
    UPLOAD
  }

  private final EmulatorContext ctxShared;
  private Mode mode = Mode.IDLE;
  private Exchange exchange;
  private Upload upload;

  /** The request being served. */
  private static final class Exchange {
    final HttpRequest request;
    final String requestId = UUID.randomUUID().toString();
    final long startNanos = System.nanoTime();
    final Faults.Decision fault;
    boolean keepAlive;
    boolean responded;

    Exchange(HttpRequest request, Faults.Decision fault) {
      this.request = request;
      this.fault = fault;
      this.keepAlive = HttpUtil.isKeepAlive(request);
    }
  }

  /** An object body being received into a temporary file. */
  private static final class Upload {
    final ManPath path;
    final Path temp;
    final FileChannel file;
    final MessageDigest md5;
    final long maxBytes;
    final String expectedMd5;
    final String contentType;
    final int durability;
    final Map<String, String> headers;
    long bytes;

    Upload(
        ManPath path,
        Path temp,
        long maxBytes,
        String expectedMd5,
        String contentType,
        int durability,
        Map<String, String> headers)
        throws IOException {
      this.path = path;
      this.temp = temp;
      this.file =
          FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      this.md5 = newMd5();
      this.maxBytes = maxBytes;
      this.expectedMd5 = expectedMd5;
      this.contentType = contentType;
      this.durability = durability;
      this.headers = headers;
    }

    void abandon() {
      try {
        file.close();
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        LOG.warn("emulator: cannot remove {}: {}", temp, e.toString());
      }
    }
  }

  public RequestHandler(EmulatorContext shared) {
    this.ctxShared = shared;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest) {
        onRequest(ctx, (HttpRequest) msg);
      }
      if (msg instanceof HttpContent) {
        onContent(ctx, (HttpContent) msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (upload != null) {
      upload.abandon();
      upload = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("emulator: connection error: {}", cause.toString());
    ctx.close();
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      exchange = new Exchange(request, Faults.Decision.NONE);
      exchange.keepAlive = false;
      MantaError e =
          cause instanceof TooLongFrameException
              ? new MantaError(431, "RequestHeaderFieldsTooLarge", "request headers are too large")
              : new MantaError(400, "BadRequest", "malformed HTTP request");
      sendError(ctx, e);
      mode = Mode.DISCARD;
      return;
    }
    Faults.Decision fault = ctxShared.faults().get();
    exchange = new Exchange(request, fault);
    if (fault.action() == Faults.Action.DROP) {
      record(0, true);
      mode = Mode.DISCARD;
      ctx.close();
      return;
    }
    if (fault.action() == Faults.Action.FAIL) {
      Map<String, String> headers =
          fault.retryAfterSeconds() >= 0
              ? Map.of("Retry-After", Long.toString(fault.retryAfterSeconds()))
              : Map.of();
      String message =
          fault.code().equals("ThrottledError")
              ? "manta throttled this request"
              : "manta is unable to serve this request";
      rejectBeforeBody(ctx, new MantaError(fault.status(), fault.code(), message, headers));
      return;
    }
    try {
      route(ctx, request);
    } catch (MantaError e) {
      rejectBeforeBody(ctx, e);
    } catch (UncheckedIOException e) {
      LOG.warn(
          "emulator: storage failure on {} {}: {}", request.method(), request.uri(), e.toString());
      rejectBeforeBody(ctx, new MantaError(500, "InternalError", "an unexpected error occurred"));
    }
  }

  /** Answers an error before the body was read: the rest of the body is discarded. */
  private void rejectBeforeBody(ChannelHandlerContext ctx, MantaError e) {
    if (HttpUtil.is100ContinueExpected(exchange.request)) {
      // The client waits for 100 Continue and will not send the body: make the decoder expect
      // the next request instead of this one's body.
      ctx.pipeline().fireUserEventTriggered(HttpExpectationFailedEvent.INSTANCE);
      mode = Mode.IDLE;
    } else {
      mode = Mode.DISCARD;
    }
    sendError(ctx, e);
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent content) {
    if (mode == Mode.UPLOAD) {
      try {
        ByteBuf buf = content.content();
        int n = buf.readableBytes();
        if (upload.bytes + n > upload.maxBytes) {
          upload.abandon();
          upload = null;
          mode = content instanceof LastHttpContent ? Mode.IDLE : Mode.DISCARD;
          exchange.keepAlive = false;
          sendError(
              ctx,
              new MantaError(
                  413,
                  "MaxContentLengthExceeded",
                  "request has exceeded " + (n + exchangeBytes()) + " bytes"));
          return;
        }
        ByteBuffer nio = buf.nioBuffer();
        upload.md5.update(nio.duplicate());
        while (nio.hasRemaining()) {
          upload.file.write(nio);
        }
        upload.bytes += n;
      } catch (IOException e) {
        upload.abandon();
        upload = null;
        mode = Mode.DISCARD;
        sendError(
            ctx, new MantaError(507, "NotEnoughSpace", "not enough free space: " + e.getMessage()));
      }
    }
    if (content instanceof LastHttpContent) {
      if (mode == Mode.UPLOAD) {
        finishUpload(ctx);
      }
      mode = Mode.IDLE;
    }
  }

  private long exchangeBytes() {
    return upload == null ? 0 : upload.bytes;
  }

  private void route(ChannelHandlerContext ctx, HttpRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    Map<String, List<String>> query = q < 0 ? Map.of() : new QueryStringDecoder(uri).parameters();
    Optional<SignatureVerifier.Caller> caller =
        SignatureVerifier.isPresigned(req, query)
            ? ctxShared.verifier().verifyPresigned(req, rawPath, query)
            : ctxShared.verifier().verify(req);
    ManPath path = ManPath.parse(rawPath, caller.map(SignatureVerifier.Caller::login).orElse(null));
    authorize(req, caller, path);

    HttpMethod m = req.method();
    if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD)) {
      mode = Mode.DISCARD;
      read(ctx, req, path, query);
    } else if (m.equals(HttpMethod.PUT)) {
      checkRoleTags(req, path);
      if (isTrue(first(query, "metadata"))) {
        mode = Mode.DISCARD;
        putMetadata(ctx, req, path);
      } else {
        put(ctx, req, path);
      }
    } else if (m.equals(HttpMethod.DELETE)) {
      mode = Mode.DISCARD;
      delete(ctx, req, path);
    } else if (m.equals(HttpMethod.POST) && !path.isKnownTree()) {
      // Multipart upload is off here, as on a muskie without enableMPU: /:login/uploads is
      // no storage path, so clients probing it get ResourceNotFound and fall back.
      throw MantaError.resourceNotFound(path.toString());
    } else {
      throw new MantaError(405, "MethodNotAllowed", m.name() + " is not allowed");
    }
  }

  private void authorize(HttpRequest req, Optional<SignatureVerifier.Caller> caller, ManPath path) {
    if (!ctxShared.accounts().exists(path.login())) {
      throw new MantaError(403, "AccountDoesNotExist", path.login() + " does not exist");
    }
    boolean readOnly = req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD);
    if (caller.isEmpty()) {
      if (!(readOnly && path.isPublic())) {
        throw MantaError.authorization("anonymous", path.toString());
      }
      return;
    }
    if (!caller.get().login().equals(path.login())) {
      throw MantaError.authorization(caller.get().displayName(), path.toString());
    }
    String roles = req.headers().get("role");
    if (roles != null && !roles.isBlank() && !roles.trim().equals("*")) {
      for (String role : roles.split("\\s*,\\s*")) {
        if (!ctxShared.accounts().hasRole(path.login(), role.trim())) {
          throw new MantaError(409, "InvalidRole", "Role \"" + role.trim() + "\" is invalid.");
        }
      }
    }
  }

  // ---- GET / HEAD

  private void read(
      ChannelHandlerContext ctx, HttpRequest req, ManPath path, Map<String, List<String>> query) {
    boolean head = req.method().equals(HttpMethod.HEAD);
    if (path.isAccountRoot()) {
      listAccountRoot(ctx, head, query);
      return;
    }
    if (!path.isKnownTree()) {
      throw MantaError.resourceNotFound(path.toString());
    }
    Entry entry =
        ctxShared.store().get(path).orElseThrow(() -> MantaError.resourceNotFound(path.toString()));
    if (entry.directory()) {
      listDirectory(ctx, head, path, entry, query);
    } else {
      getObject(ctx, req, head, path, entry);
    }
  }

  private void listAccountRoot(
      ChannelHandlerContext ctx, boolean head, Map<String, List<String>> query) {
    String marker = first(query, "marker");
    List<String> names = new ArrayList<>(new TreeSet<>(ManPath.STORAGE_ROOTS));
    if (marker != null) {
      names.removeIf(n -> n.compareTo(marker) <= 0);
    }
    ByteBuf body = Unpooled.buffer();
    for (String n : names) {
      ObjectNode e = JSON.createObjectNode();
      e.put("name", n);
      e.put("type", "directory");
      e.put("mtime", ISO_MILLIS.format(Store.ROOT_MTIME));
      body.writeCharSequence(e.toString() + "\n", StandardCharsets.UTF_8);
    }
    FullHttpResponse res = response(HttpResponseStatus.OK, head ? Unpooled.EMPTY_BUFFER : body);
    if (head) {
      body.release();
    }
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, DIR_LIST_TYPE);
    res.headers().set("Result-Set-Size", names.size());
    if (head) {
      res.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    send(ctx, res);
  }

  private void listDirectory(
      ChannelHandlerContext ctx,
      boolean head,
      ManPath path,
      Entry dir,
      Map<String, List<String>> query) {
    int limit = DEFAULT_LIMIT;
    String limitParam = first(query, "limit");
    if (limitParam != null) {
      try {
        limit = Integer.parseInt(limitParam.trim());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit <= 0 || limit > 1024) {
        throw new MantaError(
            400,
            "InvalidArgumentError",
            "limit=" + limitParam + " is invalid: must be between [1, 1024]");
      }
    }
    boolean byMtime = "mtime".equals(first(query, "sort"));
    boolean reverse = "reverse".equals(first(query, "sort_order"));
    boolean wantDirs = query.containsKey("dir") || query.containsKey("directory");
    boolean wantObjs = query.containsKey("obj") || query.containsKey("object");
    String marker = first(query, "marker");
    Store store = ctxShared.store();

    ByteBuf body = Unpooled.buffer();
    if (!head) {
      List<Entry> page = new ArrayList<>(limit);
      if (!byMtime) {
        // Name order straight from the sorted index: pages cost O(limit), not O(directory).
        var map = store.childMap(path);
        var view = reverse ? map.descendingMap() : map;
        if (marker != null) {
          view = reverse ? map.headMap(marker, true).descendingMap() : map.tailMap(marker, true);
        }
        for (Entry e : view.values()) {
          if (page.size() >= limit) {
            break;
          }
          if (typeWanted(e, wantDirs, wantObjs)) {
            page.add(e);
          }
        }
      } else {
        Instant markerTime = null;
        if (marker != null) {
          try {
            markerTime = Instant.parse(marker);
          } catch (RuntimeException e) {
            throw new MantaError(
                400, "InvalidParameter", "\"" + marker + "\" is invalid for \"marker\"");
          }
        }
        List<Entry> all = new ArrayList<>(store.children(path));
        Comparator<Entry> order = Comparator.comparing(Entry::mtime);
        all.sort(reverse ? order : order.reversed());
        for (Entry e : all) {
          if (page.size() >= limit) {
            break;
          }
          if (markerTime != null
              && (reverse ? e.mtime().isBefore(markerTime) : e.mtime().isAfter(markerTime))) {
            continue;
          }
          if (typeWanted(e, wantDirs, wantObjs)) {
            page.add(e);
          }
        }
      }
      try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
        for (Entry e : page) {
          writeEntry(out, e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    FullHttpResponse res = response(HttpResponseStatus.OK, body);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, DIR_LIST_TYPE);
    res.headers().set("Result-Set-Size", store.count(path));
    res.headers().set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(dir.mtime()));
    dir.headers().forEach((k, v) -> res.headers().set(k, v));
    if (head) {
      res.headers().remove(HttpHeaderNames.CONTENT_LENGTH); // muskie's directory HEAD has none
    }
    send(ctx, res);
  }

  private static boolean typeWanted(Entry e, boolean wantDirs, boolean wantObjs) {
    if (wantDirs == wantObjs) {
      return true;
    }
    return wantDirs == e.directory();
  }

  private static void writeEntry(ByteBufOutputStream out, Entry e) throws IOException {
    try (JsonGenerator g = JSON.getFactory().createGenerator((java.io.OutputStream) out)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.writeStartObject();
      g.writeStringField("name", e.name());
      if (!e.directory()) {
        g.writeStringField("etag", e.etag());
        g.writeNumberField("size", e.size());
      }
      g.writeStringField("type", e.directory() ? "directory" : "object");
      if (!e.directory()) {
        g.writeStringField("contentType", e.contentType());
        g.writeStringField("contentMD5", e.contentMd5());
      }
      g.writeStringField("mtime", ISO_MILLIS.format(e.mtime()));
      if (!e.directory()) {
        g.writeNumberField("durability", e.durability());
      }
      g.writeEndObject();
    }
    out.write('\n');
  }

  private void getObject(
      ChannelHandlerContext ctx, HttpRequest req, boolean head, ManPath path, Entry e) {
    String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch != null && etagMatches(ifNoneMatch, e.etag())) {
      FullHttpResponse res = response(HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
      res.headers().set(HttpHeaderNames.ETAG, e.etag());
      send(ctx, res);
      return;
    }
    checkIfMatch(req, Optional.of(e));
    long offset = 0;
    long length = e.size();
    boolean partial = false;
    String range = req.headers().get(HttpHeaderNames.RANGE);
    if (range != null && !head) {
      if (range.indexOf(',') >= 0) {
        throw new MantaError(501, "NotImplemented", "multi-range requests not supported");
      }
      long[] r = parseRange(range, e.size());
      if (r == null) {
        throw new MantaError(
            416,
            "RequestedRangeNotSatisfiable",
            range + " is an invalid range",
            Map.of("Content-Range", "bytes */" + e.size()));
      }
      offset = r[0];
      length = r[1] - r[0] + 1;
      partial = true;
    }
    HttpResponse res =
        new DefaultHttpResponse(
            HttpVersion.HTTP_1_1,
            partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
    HttpHeaders h = res.headers();
    h.set(HttpHeaderNames.ETAG, e.etag());
    h.set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(e.mtime()));
    h.set(HttpHeaderNames.CONTENT_TYPE, e.contentType());
    h.set("Durability-Level", e.durability());
    if (partial) {
      h.set(
          HttpHeaderNames.CONTENT_RANGE,
          "bytes " + offset + "-" + (offset + length - 1) + "/" + e.size());
    } else {
      h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
      h.set(
          "Content-MD5",
          exchange.fault.action() == Faults.Action.CORRUPT_MD5 ? ZERO_MD5 : e.contentMd5());
    }
    h.set(HttpHeaderNames.CONTENT_LENGTH, length);
    e.headers().forEach(h::set);
    if (head || length == 0) {
      FullHttpResponse full =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, res.status(), Unpooled.EMPTY_BUFFER);
      full.headers().set(h);
      send(ctx, full);
      return;
    }
    Path file = ctxShared.store().dataPath(path);
    long start = offset;
    long len = length;
    boolean truncate = exchange.fault.action() == Faults.Action.TRUNCATE;
    later(ctx, () -> streamFile(ctx, res, file, start, len, truncate));
  }

  private void streamFile(
      ChannelHandlerContext ctx,
      HttpResponse res,
      Path file,
      long offset,
      long length,
      boolean truncate) {
    FileChannel fc;
    try {
      fc = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException ex) {
      sendNow(
          ctx, errorResponse(new MantaError(500, "InternalError", "an unexpected error occurred")));
      return;
    }
    decorate(res);
    boolean keepAlive = exchange.keepAlive && !truncate;
    HttpUtil.setKeepAlive(res, keepAlive);
    int status = res.status().code();
    ctx.write(res);
    long send = truncate ? length / 2 : length;
    if (ctx.pipeline().get(SslHandler.class) == null) {
      ctx.write(new DefaultFileRegion(fc, offset, send));
    } else {
      try {
        ctx.write(new HttpChunkedInput(new ChunkedNioFile(fc, offset, send, 64 * 1024)));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    record(status, truncate);
    exchange.responded = true;
    if (truncate) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static long[] parseRange(String range, long size) {
    if (!range.startsWith("bytes=")) {
      return null;
    }
    String spec = range.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      long start;
      long end;
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix <= 0) {
          return null;
        }
        start = Math.max(0, size - suffix);
        end = size - 1;
      } else {
        start = Long.parseLong(a);
        end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      }
      if (start < 0 || start >= size || end < start) {
        return null;
      }
      return new long[] {start, end};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ---- PUT

  private void put(ChannelHandlerContext ctx, HttpRequest req, ManPath path) {
    if (path.isAccountRoot()) {
      throw MantaError.rootDirectory("PUT", path.toString());
    }
    if (!path.isKnownTree()) {
      throw MantaError.resourceNotFound(path.toString());
    }
    String contentType =
        Optional.ofNullable(req.headers().get(HttpHeaderNames.CONTENT_TYPE)).orElse("").trim();
    String ct = contentType.toLowerCase(Locale.ROOT);
    boolean isDir = ct.equals(DIR_TYPE) || ct.equals(DIR_LIST_TYPE);
    boolean isLink = ct.equals(LINK_TYPE);
    if (path.isStorageRoot()) {
      if (!contentType.isEmpty() && !isDir) {
        throw MantaError.rootDirectory("PUT", path.toString());
      }
      mode = Mode.DISCARD;
      send(ctx, response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER));
      return;
    }
    if (!path.isWritableTree()) {
      throw MantaError.authorization(path.login(), path.toString());
    }
    Store store = ctxShared.store();
    Instant now = now();
    if (isDir) {
      mode = Mode.DISCARD;
      Optional<Entry> previous = store.putDirectory(path, metadataHeaders(req), now);
      FullHttpResponse res = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
      previous.ifPresent(
          p -> res.headers().set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(p.mtime())));
      send(ctx, res);
      return;
    }
    if (isLink) {
      mode = Mode.DISCARD;
      putLink(ctx, req, path, now);
      return;
    }
    Optional<Entry> existing = store.get(path);
    if (existing.isPresent() && existing.get().directory()) {
      throw MantaError.directoryOperation("PUT", path.toString());
    }
    checkIfMatch(req, existing);
    String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch != null
        && existing.isPresent()
        && etagMatches(ifNoneMatch, existing.get().etag())) {
      throw new MantaError(
          412, "PreconditionFailed", "if-none-match '" + ifNoneMatch + "' matched");
    }
    long maxBytes;
    if (HttpUtil.isTransferEncodingChunked(req)) {
      String mcl = req.headers().get("max-content-length");
      try {
        maxBytes = mcl == null ? ctxShared.maxStreamingSize() : Long.parseLong(mcl.trim());
      } catch (NumberFormatException e) {
        maxBytes = -1;
      }
      if (maxBytes < 0) {
        throw new MantaError(
            400, "InvalidMaxContentLength", mcl + " is an invalid max-content-length value");
      }
    } else {
      String cl = req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
      try {
        maxBytes = cl == null ? 0 : Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        maxBytes = -1;
      }
      if (maxBytes < 0) {
        throw new MantaError(411, "ContentLengthRequired", "Content-Length must be >= 0");
      }
    }
    String dl =
        Optional.ofNullable(req.headers().get("durability-level"))
            .orElse(req.headers().get("x-durability-level"));
    int durability = 2;
    if (dl != null) {
      try {
        durability = Integer.parseInt(dl.trim());
      } catch (NumberFormatException e) {
        durability = -1;
      }
      if (durability < 1 || durability > 9) {
        throw new MantaError(
            400, "InvalidDurabilityLevel", "durability-level must be between 1 and 9");
      }
    }
    String expectedMd5 = req.headers().get("content-md5");
    if (expectedMd5 != null) {
      expectedMd5 = expectedMd5.trim();
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(expectedMd5);
      } catch (IllegalArgumentException e) {
        raw = new byte[0];
      }
      if (raw.length != 16) {
        throw new MantaError(400, "BadRequest", "Content-MD5 invalid");
      }
    }
    store.checkParent(path);
    try {
      upload =
          new Upload(
              path,
              store.newTempFile(),
              maxBytes,
              expectedMd5,
              contentType.isEmpty() ? "application/octet-stream" : contentType,
              durability,
              metadataHeaders(req));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mode = Mode.UPLOAD;
    if (HttpUtil.is100ContinueExpected(req)) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  /**
   * {@code PUT ?metadata=true}: replaces the entry's headers and metadata (and an object's content
   * type when one is sent), keeps its content, size, MD5 and etag, as muskie does.
   */
  private void putMetadata(ChannelHandlerContext ctx, HttpRequest req, ManPath path) {
    if (path.isAccountRoot() || path.isStorageRoot()) {
      throw MantaError.rootDirectory("PUT", path.toString());
    }
    if (!path.isKnownTree()) {
      throw MantaError.resourceNotFound(path.toString());
    }
    if (!path.isWritableTree()) {
      throw MantaError.authorization(path.login(), path.toString());
    }
    // muskie refuses any of these; a Content-Length of 0 is let through because HTTP clients
    // (the JDK's among them) send it on every body-less PUT. A chunked request is let through
    // as muskie does (it looks at the header only): node-manta's chattr sends exactly that,
    // and its (empty) body is discarded.
    String length = req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null && !length.trim().equals("0")) {
      throw MantaError.invalidUpdate("content-length");
    }
    for (String k : List.of("content-md5", "durability-level")) {
      if (req.headers().contains(k)) {
        throw MantaError.invalidUpdate(k);
      }
    }
    Store store = ctxShared.store();
    Entry old = store.get(path).orElseThrow(() -> MantaError.resourceNotFound(path.toString()));
    checkIfMatch(req, Optional.of(old));
    String contentType =
        Optional.ofNullable(req.headers().get(HttpHeaderNames.CONTENT_TYPE))
            .map(String::trim)
            .filter(t -> !t.isEmpty() && !old.directory())
            .orElse(old.contentType());
    Entry updated =
        new Entry(
            old.name(),
            old.directory(),
            now(),
            old.etag(),
            old.size(),
            old.contentMd5(),
            contentType,
            old.durability(),
            metadataHeaders(req));
    store.updateMetadata(path, old, updated);
    FullHttpResponse res = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    if (!updated.directory()) {
      res.headers().set(HttpHeaderNames.ETAG, updated.etag());
    }
    res.headers().set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(updated.mtime()));
    send(ctx, res);
  }

  /**
   * Every role named in {@code role-tag} must be one of the login's roles (muskie: InvalidRoleTag).
   */
  private void checkRoleTags(HttpRequest req, ManPath path) {
    String tags = req.headers().get("role-tag");
    if (tags == null || tags.isBlank()) {
      return;
    }
    for (String tag : tags.split(",")) {
      String t = tag.trim();
      if (!t.isEmpty() && !ctxShared.accounts().hasRole(path.login(), t)) {
        throw new MantaError(409, "InvalidRoleTag", "Role tag \"" + t + "\" is invalid.");
      }
    }
  }

  private static boolean isTrue(String queryValue) {
    return queryValue != null && !queryValue.equalsIgnoreCase("false") && !queryValue.equals("0");
  }

  private void finishUpload(ChannelHandlerContext ctx) {
    Upload u = upload;
    upload = null;
    try {
      // No fsync: the emulator stands in for a service in tests, and syncing every upload
      // would make it, not the client under test, the bottleneck of every measurement.
      u.file.close();
    } catch (IOException e) {
      u.abandon();
      sendError(
          ctx, new MantaError(507, "NotEnoughSpace", "not enough free space: " + e.getMessage()));
      return;
    }
    String computed = u.bytes == 0 ? ZERO_MD5 : Base64.getEncoder().encodeToString(u.md5.digest());
    if (u.expectedMd5 != null && !u.expectedMd5.equals(computed)) {
      u.abandon();
      sendError(
          ctx,
          new MantaError(
              400,
              "ContentMD5Mismatch",
              "Content-MD5 expected " + computed + ", but was " + u.expectedMd5));
      return;
    }
    Entry entry =
        new Entry(
            u.path.name(),
            false,
            now(),
            UUID.randomUUID().toString(),
            u.bytes,
            computed,
            u.contentType,
            u.durability,
            u.headers);
    try {
      ctxShared.store().commitObject(u.path, u.temp, entry);
    } catch (MantaError e) {
      u.abandon();
      sendError(ctx, e);
      return;
    } catch (UncheckedIOException e) {
      u.abandon();
      sendError(ctx, new MantaError(500, "InternalError", "an unexpected error occurred"));
      return;
    }
    FullHttpResponse res = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    res.headers().set(HttpHeaderNames.ETAG, entry.etag());
    res.headers().set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(entry.mtime()));
    res.headers()
        .set(
            "Computed-MD5",
            exchange.fault.action() == Faults.Action.CORRUPT_MD5 ? ZERO_MD5 : computed);
    send(ctx, res);
  }

  private void putLink(ChannelHandlerContext ctx, HttpRequest req, ManPath path, Instant now) {
    String location = req.headers().get(HttpHeaderNames.LOCATION);
    if (location == null || location.isBlank()) {
      throw new MantaError(400, "LocationRequired", "An HTTP Location header must be specified");
    }
    ManPath source;
    try {
      source = ManPath.parse(location, path.login());
    } catch (MantaError e) {
      throw new MantaError(400, "InvalidLink", location + " is an invalid link");
    }
    if (!source.login().equals(path.login()) || !source.isKnownTree()) {
      throw new MantaError(400, "InvalidLink", location + " is an invalid link");
    }
    Store store = ctxShared.store();
    Entry src =
        store
            .get(source)
            .orElseThrow(
                () -> new MantaError(404, "SourceObjectNotFound", location + " was not found"));
    if (src.directory()) {
      throw new MantaError(400, "LinkNotObject", location + " is not an object");
    }
    // The link keeps the source's metadata, but a role-tag sent with the link request is the
    // link's own (muskie; node-manta's mln --role-tag relies on it).
    Map<String, String> headers = new LinkedHashMap<>(src.headers());
    String roleTag = req.headers().get("role-tag");
    if (roleTag != null) {
      headers.put("role-tag", roleTag);
    }
    Entry e = store.link(path, source, src, headers, now);
    FullHttpResponse res = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    res.headers().set(HttpHeaderNames.ETAG, e.etag());
    res.headers().set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(e.mtime()));
    send(ctx, res);
  }

  private static Map<String, String> metadataHeaders(HttpRequest req) {
    Map<String, String> out = new LinkedHashMap<>();
    int size = 0;
    for (Map.Entry<String, String> h : req.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith("m-") && name.length() > 2) {
        size += h.getValue().getBytes(StandardCharsets.UTF_8).length;
        if (size < MAX_METADATA_BYTES) {
          out.put(name, h.getValue());
        }
      } else if (name.equals("cache-control")
          || name.equals("surrogate-key")
          || name.equals("role-tag")
          || name.startsWith("access-control-")) {
        out.put(name, h.getValue());
      }
    }
    return out;
  }

  // ---- DELETE

  private void delete(ChannelHandlerContext ctx, HttpRequest req, ManPath path) {
    if (path.isAccountRoot() || path.isStorageRoot()) {
      throw MantaError.rootDirectory("DELETE", path.toString());
    }
    if (!path.isKnownTree()) {
      throw MantaError.resourceNotFound(path.toString());
    }
    Store store = ctxShared.store();
    Entry e = store.get(path).orElseThrow(() -> MantaError.resourceNotFound(path.toString()));
    checkIfMatch(req, Optional.of(e));
    store.delete(path, e);
    send(ctx, response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER));
  }

  private static void checkIfMatch(HttpRequest req, Optional<Entry> existing) {
    String ifMatch = req.headers().get(HttpHeaderNames.IF_MATCH);
    if (ifMatch == null) {
      return;
    }
    if (existing.isEmpty() || !etagMatches(ifMatch, existing.get().etag())) {
      throw new MantaError(
          412,
          "PreconditionFailed",
          "if-match '"
              + ifMatch
              + "' didn't match etag '"
              + existing.map(Entry::etag).orElse("")
              + "'");
    }
  }

  private static boolean etagMatches(String header, String etag) {
    for (String t : header.split(",")) {
      String v = t.trim();
      if (v.startsWith("W/")) {
        v = v.substring(2);
      }
      v = v.replace("\"", "");
      if (v.equals("*") || (!etag.isEmpty() && v.equals(etag))) {
        return true;
      }
    }
    return false;
  }

  // ---- responses

  private FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return res;
  }

  private FullHttpResponse errorResponse(MantaError e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("code", e.code());
    n.put("message", e.getMessage());
    byte[] body = n.toString().getBytes(StandardCharsets.UTF_8);
    boolean head = exchange != null && exchange.request.method().equals(HttpMethod.HEAD);
    FullHttpResponse res =
        response(
            HttpResponseStatus.valueOf(e.status()),
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    res.headers().set("Content-MD5", Base64.getEncoder().encodeToString(newMd5().digest(body)));
    e.headers().forEach((k, v) -> res.headers().set(k, v));
    return res;
  }

  private void sendError(ChannelHandlerContext ctx, MantaError e) {
    if (e.status() >= 500) {
      LOG.debug(
          "emulator: {} {} -> {} {}",
          exchange.request.method(),
          exchange.request.uri(),
          e.status(),
          e.code());
    }
    send(ctx, errorResponse(e));
  }

  private void send(ChannelHandlerContext ctx, FullHttpResponse res) {
    later(ctx, () -> sendNow(ctx, res));
  }

  /** Runs {@code action} now, or after the injected delay. */
  private void later(ChannelHandlerContext ctx, Runnable action) {
    long delayMillis = exchange.fault.delay().toMillis();
    if (delayMillis > 0) {
      ctx.executor().schedule(action, delayMillis, TimeUnit.MILLISECONDS);
    } else {
      action.run();
    }
  }

  private void sendNow(ChannelHandlerContext ctx, FullHttpResponse res) {
    Exchange ex = exchange;
    if (ex.responded) {
      res.release();
      return;
    }
    ex.responded = true;
    decorate(res);
    boolean truncate = ex.fault.action() == Faults.Action.TRUNCATE;
    if (!ctx.channel().isActive()) {
      res.release();
      return;
    }
    record(res.status().code(), ex.fault.action() != Faults.Action.NONE);
    if (truncate) {
      // The request was served (an upload is stored) but the answer is lost: the client
      // must not take this for a success.
      res.release();
      ctx.close();
      return;
    }
    // A refused body that is still arriving is read and discarded, so keep-alive survives.
    HttpUtil.setKeepAlive(res, ex.keepAlive);
    var f = ctx.writeAndFlush(res);
    if (!ex.keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void decorate(HttpResponse res) {
    HttpHeaders h = res.headers();
    h.set(HttpHeaderNames.DATE, HTTP_DATE.format(now()));
    h.set(HttpHeaderNames.SERVER, "Manta");
    h.set("x-request-id", exchange.requestId);
    h.set(
        "x-response-time", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exchange.startNanos));
    h.set("x-server-name", ctxShared.serverName());
  }

  private void record(int status, boolean faulted) {
    ctxShared
        .recorder()
        .accept(
            new RequestRecord(
                exchange.request.method().name(),
                exchange.request.uri(),
                status,
                exchange.requestId,
                faulted));
  }

  private Instant now() {
    return ctxShared.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
