package io.vminfo.core.client.internal;

import io.vminfo.core.Change;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.client.ChangeExpectation;
import io.vminfo.core.client.ChangePattern;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The progress of a change watch, as vminfod's watchForChanges: each change of a matching event
 * removes the first still-wanted group it satisfies (at most one per change); done when no group is
 * left, or at the first match with {@code firstMatch}. Not thread-safe.
 */
public final class ChangeTracker {
  private final List<List<ChangePattern>> remaining;
  private final boolean firstMatch;
  private boolean done;

  public ChangeTracker(ChangeExpectation expectation, boolean firstMatch) {
    this.remaining = new ArrayList<>(expectation.groups());
    this.firstMatch = firstMatch;
    this.done = remaining.isEmpty();
  }

  /** Applies an event's changes; returns whether any of them matched. */
  public boolean offer(FeedMessage.Event event) {
    boolean matched = false;
    for (Change change : event.changes()) {
      if (done) {
        break;
      }
      for (Iterator<List<ChangePattern>> it = remaining.iterator(); it.hasNext(); ) {
        List<ChangePattern> group = it.next();
        if (group.stream().anyMatch(p -> p.matches(change))) {
          it.remove();
          matched = true;
          if (firstMatch) {
            done = true;
          }
          break;
        }
      }
    }
    if (remaining.isEmpty()) {
      done = true;
    }
    return matched;
  }

  public boolean isDone() {
    return done;
  }

  /** Groups not seen yet, for timeout messages. */
  public int remaining() {
    return done ? 0 : remaining.size();
  }
}
