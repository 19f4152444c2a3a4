package io.vminfo.benchmarks.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code n} {@code /events} subscribers on one NIO thread. Each decodes the chunked body into lines
 * and notes when each event line (by its {@code rev}) arrived; the driver compares that with when
 * it caused the change.
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
public final class FeedSubscribers implements AutoCloseable {
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentHashMap<Long, Long> sentAt = new ConcurrentHashMap<>();
  private final LongSamples latencies = new LongSamples();
  private final ConcurrentHashMap<Long, Long> worstByRev = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Long> firstByRev = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Long> firstReceived = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Long> lastReceived = new ConcurrentHashMap<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong readies = new AtomicLong();
  private volatile boolean closed;
  private volatile Throwable failure;

  public FeedSubscribers(InetSocketAddress agent, int n) throws IOException {
    selector = Selector.open();
    byte[] request =
        ("GET /events HTTP/1.1\r\nHost: bench\r\nUser-Agent: vminfo-bench-feed\r\n" + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < n; i++) {
      SocketChannel ch = SocketChannel.open(agent);
      ch.write(ByteBuffer.wrap(request));
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ, new Sub());
    }
    thread = new Thread(this::loop, "feed-subscribers");
    thread.start();
  }

  /** Tells when the change that will become event {@code rev} was made. */
  public void sent(long rev, long nanos) {
    sentAt.put(rev, nanos);
  }

  public long readies() {
    return readies.get();
  }

  public long received() {
    return received.get();
  }

  /** When the first subscriber received each event (nanoTime). */
  public java.util.Map<Long, Long> firstReceived() {
    return firstReceived;
  }

  /** When the last subscriber received each event (nanoTime). */
  public java.util.Map<Long, Long> lastReceived() {
    return lastReceived;
  }

  /** The fastest subscriber's latency per event revision. */
  public java.util.Map<Long, Long> firstByRev() {
    return firstByRev;
  }

  /** The slowest subscriber's latency per event revision. */
  public java.util.Map<Long, Long> worstByRev() {
    return worstByRev;
  }

  /** The change-to-received latencies (stop the subscribers first). */
  public LongSamples latencies() {
    return latencies;
  }

  @Override
  public void close() throws Exception {
    closed = true;
    selector.wakeup();
    thread.join();
    for (SelectionKey k : selector.keys()) {
      k.channel().close();
    }
    selector.close();
    if (failure != null) {
      throw new IOException("subscriber failed", failure);
    }
  }

  private void loop() {
    ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
    try {
      while (!closed) {
        selector.select(100);
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          buf.clear();
          int n = ((SocketChannel) k.channel()).read(buf);
          if (n < 0) {
            throw new IOException("the agent closed a feed");
          }
          long now = System.nanoTime();
          buf.flip();
          ((Sub) k.attachment()).feed(buf, now);
        }
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  /** One subscriber: skips the response head, un-chunks, splits lines. */
  private final class Sub {
    private boolean inBody;
    private final StringBuilder headTail = new StringBuilder();
    private long chunkLeft = -1; // -1: reading a size line
    private final StringBuilder sizeLine = new StringBuilder();
    private int crlfToSkip;
    private byte[] line = new byte[1 << 16];
    private int lineLen;

    void feed(ByteBuffer b, long now) {
      while (b.hasRemaining()) {
        byte x = b.get();
        if (!inBody) {
          headTail.append((char) x);
          if (headTail.length() >= 4
              && headTail.substring(headTail.length() - 4).equals("\r\n\r\n")) {
            inBody = true;
          }
          continue;
        }
        if (crlfToSkip > 0) {
          crlfToSkip--;
          continue;
        }
        if (chunkLeft < 0) {
          if (x == '\n') {
            chunkLeft = Long.parseLong(sizeLine.toString().trim(), 16);
            sizeLine.setLength(0);
            if (chunkLeft == 0) {
              chunkLeft = -1;
            }
          } else if (x != '\r') {
            sizeLine.append((char) x);
          }
          continue;
        }
        lineByte(x, now);
        if (--chunkLeft == 0) {
          chunkLeft = -1;
          crlfToSkip = 2;
        }
      }
    }

    private void lineByte(byte x, long now) {
      if (x != '\n') {
        if (lineLen == line.length) {
          line = java.util.Arrays.copyOf(line, line.length * 2);
        }
        line[lineLen++] = x;
        return;
      }
      String text = new String(line, 0, Math.min(lineLen, 24), StandardCharsets.US_ASCII);
      if (text.startsWith("{\"type\":\"ready\"")) {
        readies.incrementAndGet();
      } else if (!text.startsWith("{\"type\":\"heartbeat\"")) {
        long rev = revOf(line, lineLen);
        firstReceived.merge(rev, now, Math::min);
        lastReceived.merge(rev, now, Math::max);
        Long sent = sentAt.get(rev);
        if (sent != null) {
          synchronized (latencies) {
            latencies.add(now - sent);
          }
          worstByRev.merge(rev, now - sent, Math::max);
          firstByRev.merge(rev, now - sent, Math::min);
        }
        received.incrementAndGet();
      }
      lineLen = 0;
      if (line.length > 1 << 16) {
        line = new byte[1 << 16]; // do not keep a ready line's worth per subscriber
      }
    }
  }

  /** The value of the last {@code "rev":} of a line (the feed writes rev last). */
  static long revOf(byte[] line, int len) {
    int end = len - 1; // the closing brace
    int start = end;
    while (start > 0 && line[start - 1] >= '0' && line[start - 1] <= '9') {
      start--;
    }
    return Long.parseLong(new String(line, start, end - start, StandardCharsets.US_ASCII));
  }
}
