package io.vminfo.core.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted stand-in for the agent on a real socket (the JDK's built-in HTTP server): each request
 * is recorded, and answered by the next queued {@link Reply}. Streams stay open until the reply's
 * latch is released or the server stops.
 */
final class FakeAgentServer implements AutoCloseable {
  /** How to answer one request. */
  record Reply(int status, List<String> lines, boolean keepOpen, CountDownLatch release) {
    static Reply stream(boolean keepOpen, String... lines) {
      return new Reply(200, List.of(lines), keepOpen, new CountDownLatch(1));
    }

    static Reply status(int status, String body) {
      return new Reply(status, List.of(body), false, new CountDownLatch(0));
    }

    static Reply silent() {
      return new Reply(-1, List.of(), true, new CountDownLatch(1));
    }
  }

  final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

  /** Per request: its method and Authorization header ({@code POST AUTH=...}). */
  final BlockingQueue<String> authorizations = new LinkedBlockingQueue<>();

  final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<CountDownLatch> open = new java.util.concurrent.CopyOnWriteArrayList<>();

  FakeAgentServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  String nextRequest() throws InterruptedException {
    String r = requests.poll(20, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request arrived");
    }
    return r;
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.add(
        ex.getRequestURI().toString() + " UA=" + ex.getRequestHeaders().getFirst("User-Agent"));
    authorizations.add(
        ex.getRequestMethod() + " AUTH=" + ex.getRequestHeaders().getFirst("Authorization"));
    Reply reply;
    try {
      reply = replies.poll(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (reply == null) {
      ex.sendResponseHeaders(500, -1);
      ex.close();
      return;
    }
    open.add(reply.release());
    try {
      if (reply.status() < 0) {
        reply.release().await(60, TimeUnit.SECONDS); // never answer
        ex.close();
        return;
      }
      if (reply.status() != 200) {
        byte[] body = reply.lines().get(0).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(reply.status(), body.length);
        ex.getResponseBody().write(body);
        ex.close();
        return;
      }
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      for (String line : reply.lines()) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      if (reply.keepOpen()) {
        reply.release().await(60, TimeUnit.SECONDS);
      }
      ex.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away
    }
  }

  @Override
  public void close() {
    open.forEach(CountDownLatch::countDown);
    server.stop(0);
    pool.shutdownNow();
  }
}
