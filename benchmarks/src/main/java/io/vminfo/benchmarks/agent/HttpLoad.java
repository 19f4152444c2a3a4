package io.vminfo.benchmarks.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A closed-loop HTTP/1.1 keep-alive load generator on NIO: {@code connections} connections per
 * thread, each sending one GET (a random path of the list), reading the whole response
 * (Content-Length), then the next. Counts 200s and errors and records every latency.
 */
public final class HttpLoad {
  /** What one run measured. */
  public record Result(long ok, long errors, double seconds, LongSamples latencies) {
    double rate() {
      return ok / seconds;
    }
  }

  private HttpLoad() {}

  public static Result run(
      InetSocketAddress target,
      List<String> paths,
      int threads,
      int connectionsPerThread,
      Duration duration)
      throws Exception {
    List<Worker> workers = new ArrayList<>();
    long end = System.nanoTime() + duration.toNanos();
    for (int t = 0; t < threads; t++) {
      Worker w = new Worker(target, paths, connectionsPerThread, end);
      workers.add(w);
    }
    long start = System.nanoTime();
    List<Thread> running = new ArrayList<>();
    for (Worker w : workers) {
      Thread th = new Thread(w, "load-" + running.size());
      th.start();
      running.add(th);
    }
    for (Thread th : running) {
      th.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long ok = 0;
    long errors = 0;
    LongSamples all = new LongSamples();
    for (Worker w : workers) {
      if (w.failure != null) {
        throw new IOException("load worker failed", w.failure);
      }
      ok += w.ok;
      errors += w.errors;
      all.addAll(w.latencies);
    }
    return new Result(ok, errors, seconds, all);
  }

  private static final class Conn {
    final SocketChannel ch;
    ByteBuffer out;
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    long sentAt;

    Conn(SocketChannel ch) {
      this.ch = ch;
    }
  }

  private static final class Worker implements Runnable {
    final InetSocketAddress target;
    final List<byte[]> requests = new ArrayList<>();
    final int connections;
    final long end;
    final LongSamples latencies = new LongSamples();
    long ok;
    long errors;
    Throwable failure;

    Worker(InetSocketAddress target, List<String> paths, int connections, long end) {
      this.target = target;
      this.connections = connections;
      this.end = end;
      for (String p : paths) {
        requests.add(
            ("GET " + p + " HTTP/1.1\r\nHost: bench\r\nUser-Agent: vminfo-bench\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
      }
    }

    @Override
    public void run() {
      try (Selector sel = Selector.open()) {
        for (int i = 0; i < connections; i++) {
          SocketChannel ch = SocketChannel.open(target);
          ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
          ch.configureBlocking(false);
          Conn c = new Conn(ch);
          send(c);
          ch.register(sel, SelectionKey.OP_READ | SelectionKey.OP_WRITE, c);
        }
        while (System.nanoTime() < end) {
          sel.select(100);
          Iterator<SelectionKey> it = sel.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            Conn c = (Conn) k.attachment();
            if (k.isWritable() && c.out.hasRemaining()) {
              c.ch.write(c.out);
            }
            if (!c.out.hasRemaining()) {
              k.interestOps(SelectionKey.OP_READ);
            }
            if (k.isReadable()) {
              read(k, c);
            }
          }
        }
        for (SelectionKey k : sel.keys()) {
          k.channel().close();
        }
      } catch (Throwable t) {
        failure = t;
      }
    }

    private void send(Conn c) {
      c.out = ByteBuffer.wrap(requests.get(ThreadLocalRandom.current().nextInt(requests.size())));
      c.sentAt = System.nanoTime();
    }

    private void read(SelectionKey k, Conn c) throws IOException {
      if (!c.in.hasRemaining()) {
        ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
        c.in.flip();
        bigger.put(c.in);
        c.in = bigger;
      }
      int n = c.ch.read(c.in);
      if (n < 0) {
        throw new IOException("server closed a keep-alive connection");
      }
      int total = complete(c.in);
      if (total < 0) {
        return;
      }
      long now = System.nanoTime();
      byte[] head = new byte[Math.min(12, c.in.position())];
      c.in.get(0, head);
      if (new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
        ok++;
        latencies.add(now - c.sentAt);
      } else {
        errors++;
      }
      c.in.flip();
      c.in.position(total);
      c.in.compact();
      send(c);
      c.ch.write(c.out);
      k.interestOps(
          c.out.hasRemaining()
              ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
              : SelectionKey.OP_READ);
    }

    /** Length of the complete response in the buffer, or -1. */
    private static int complete(ByteBuffer in) {
      int len = in.position();
      int headerEnd = -1;
      for (int i = 3; i < len; i++) {
        if (in.get(i) == '\n'
            && in.get(i - 1) == '\r'
            && in.get(i - 2) == '\n'
            && in.get(i - 3) == '\r') {
          headerEnd = i + 1;
          break;
        }
      }
      if (headerEnd < 0) {
        return -1;
      }
      byte[] head = new byte[headerEnd];
      in.get(0, head);
      String h = new String(head, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
      int cl = h.indexOf("content-length:");
      if (cl < 0) {
        throw new IllegalStateException("response without content-length");
      }
      int eol = h.indexOf('\r', cl);
      int bodyLen = Integer.parseInt(h.substring(cl + 15, eol).trim());
      int total = headerEnd + bodyLen;
      return len >= total ? total : -1;
    }
  }
}
