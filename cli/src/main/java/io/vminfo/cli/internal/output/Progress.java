package io.vminfo.cli.internal.output;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A progress bar on stderr for long transfers and checks, redrawn in place five times a second:
 * {@code put big.log 45% [=============> ] 12.3 MiB / 27.0 MiB 5.1 MiB/s}. Only drawn when asked
 * for (on a terminal, or {@code --progress}); otherwise does nothing, so pipes and logs never see
 * carriage returns.
 */
public final class Progress implements AutoCloseable {
  private static final int BAR = 30;

  private final PrintStream err;
  private final String label;
  private final long total;
  private final LongSupplier done;
  private final long started = System.nanoTime();
  private final ScheduledExecutorService timer;
  private int lastWidth;

  private Progress(PrintStream err, String label, long total, LongSupplier done, boolean draw) {
    this.err = err;
    this.label = label;
    this.total = total;
    this.done = done;
    if (draw) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "vminfo-progress");
                t.setDaemon(true);
                return t;
              });
      timer.scheduleAtFixedRate(this::draw, 0, 200, TimeUnit.MILLISECONDS);
    } else {
      timer = null;
    }
  }

  /**
   * Starts drawing when {@code draw} is true.
   *
   * @param total the expected count, or -1 if unknown (no percentage then)
   * @param done how far it is now, called from the drawing thread
   */
  public static Progress start(
      PrintStream err, String label, long total, LongSupplier done, boolean draw) {
    return new Progress(err, label, total, done, draw);
  }

  /** Draws the final state and ends the line. */
  @Override
  public void close() {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    draw();
    err.println();
    err.flush();
  }

  private synchronized void draw() {
    String line = render(label, total, done.getAsLong(), System.nanoTime() - started);
    int pad = Math.max(0, lastWidth - line.length());
    err.print("\r" + line + " ".repeat(pad));
    err.flush();
    lastWidth = line.length();
  }

  /** One frame of the bar (without the carriage return). */
  static String render(String label, long total, long done, long elapsedNanos) {
    StringBuilder sb = new StringBuilder(label).append(' ');
    if (total > 0) {
      long clamped = Math.min(done, total);
      int pct = (int) (clamped * 100 / total);
      int fill = (int) (clamped * BAR / total);
      sb.append(String.format(Locale.ROOT, "%3d%% [", pct));
      sb.append("=".repeat(fill));
      if (fill < BAR) {
        sb.append('>').append(" ".repeat(BAR - fill - 1));
      }
      sb.append("] ").append(Sizes.human(done)).append(" / ").append(Sizes.human(total));
    } else {
      sb.append(Sizes.human(done));
    }
    double seconds = elapsedNanos / 1e9;
    if (seconds > 0.5) {
      sb.append("  ").append(Sizes.human((long) (done / seconds))).append("/s");
    }
    return sb.toString();
  }
}
