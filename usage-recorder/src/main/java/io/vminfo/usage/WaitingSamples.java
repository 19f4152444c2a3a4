package io.vminfo.usage;

import io.vminfo.usage.internal.Batch;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Samples a stopped {@link UsageService} had taken but could not write (its spool refused them),
 * handed to the next service on the same spool ({@link UsageService.Builder#carryOver}) so that a
 * recorder restarted after a spool failure writes the values measured at the time, not a
 * catch-up's. Opaque: the encoded lines are the recorder's own.
 */
public final class WaitingSamples {
  private static final WaitingSamples NONE = new WaitingSamples(List.of());

  private final List<Batch> batches;

  private WaitingSamples(List<Batch> batches) {
    this.batches = List.copyOf(batches);
  }

  public static WaitingSamples none() {
    return NONE;
  }

  static WaitingSamples of(List<Batch> batches) {
    return batches.isEmpty() ? NONE : new WaitingSamples(batches);
  }

  List<Batch> batches() {
    return batches;
  }

  /** How many samples (sampling boundaries) are held. */
  public int count() {
    return batches.size();
  }

  public boolean isEmpty() {
    return batches.isEmpty();
  }

  /** The newest sample's boundary, if any. */
  public Optional<Instant> newest() {
    return batches.stream().map(Batch::timestamp).max(Instant::compareTo);
  }

  @Override
  public String toString() {
    return count() + " waiting sample(s)" + newest().map(t -> ", newest " + t).orElse("");
  }
}
