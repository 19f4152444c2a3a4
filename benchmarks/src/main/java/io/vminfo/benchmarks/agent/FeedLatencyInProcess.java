package io.vminfo.benchmarks.agent;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Change-to-event latency with the agent in this JVM, split in two: backend change to store event
 * (the serial reload queue: worker hand-off, diff, store write) and store event to line received by
 * each of the subscribers (fan-out through the event loops and sockets).
 *
 * <p>Usage: {@code FeedLatencyInProcess [subscribers=100] [seconds=30] [changesPerSecond=20]}
 */
@SuppressWarnings(
    "try") // drivers: close() waits for child processes; resources held only for their lifetime
public final class FeedLatencyInProcess {
  private FeedLatencyInProcess() {}

  public static void main(String[] args) throws Exception {
    int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int perSecond = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    try (BenchAgent a = BenchAgent.start(1000, 0)) {
      ConcurrentHashMap<Long, Long> published = new ConcurrentHashMap<>();
      a.agent.store().addListener(e -> published.put(e.rev(), System.nanoTime()));
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", a.port());
      try (FeedSubscribers feeds = new FeedSubscribers(address, subscribers)) {
        while (feeds.readies() < subscribers) {
          Thread.sleep(5);
        }
        long rev = a.agent.store().revision();
        long interval = 1_000_000_000L / perSecond;
        int warm = perSecond * 10;
        int total = perSecond * seconds;
        LongSamples queue = new LongSamples();
        ConcurrentHashMap<Long, Long> changedAt = new ConcurrentHashMap<>();
        long next = System.nanoTime();
        for (int i = 0; i < warm + total; i++) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          next += interval;
          rev++;
          long t = System.nanoTime();
          if (i >= warm) {
            changedAt.put(rev, t);
          }
          a.host.change(1 + (int) (rev % 1000), rev);
        }
        long expected = (long) (warm + total) * subscribers;
        while (feeds.received() < expected) {
          Thread.sleep(5);
        }
        for (var e : changedAt.entrySet()) {
          queue.add(published.get(e.getKey()) - e.getValue());
          feeds.sent(e.getKey(), published.get(e.getKey()));
        }
        // feeds.sent() after the fact: recompute from the per-rev extremes instead
        LongSamples first = new LongSamples();
        LongSamples last = new LongSamples();
        for (var e : changedAt.keySet()) {
          long pub = published.get(e);
          first.add(feeds.firstReceived().get(e) - pub);
          last.add(feeds.lastReceived().get(e) - pub);
        }
        System.out.println(
            String.format(
                Locale.ROOT,
                "in-process, %d subscribers, %d changes at %d/s: change->store event p50 %s p99 %s;"
                    + " store event->first subscriber p50 %s p99 %s; ->last subscriber p50 %s p99 %s",
                subscribers,
                total,
                perSecond,
                LongSamples.ms(queue.percentile(50)),
                LongSamples.ms(queue.percentile(99)),
                LongSamples.ms(first.percentile(50)),
                LongSamples.ms(first.percentile(99)),
                LongSamples.ms(last.percentile(50)),
                LongSamples.ms(last.percentile(99))));
      }
    }
  }
}
