package io.vminfo.manta;

import java.util.concurrent.CompletableFuture;

/** Names the errors of HEAD requests, whose answers carry no body and so no Manta error code. */
final class HeadErrors {
  private HeadErrors() {}

  /** A refusal the client could only name {@code HTTP<status>}. */
  static boolean unnamed(MantaException e) {
    return e.status() >= 400 && e.status() < 500 && e.code().equals("HTTP" + e.status());
  }

  /**
   * The GET's error when it is the same refusal (same status) with a name; otherwise the HEAD's own
   * error: the entry may have changed between the two requests, and a GET that succeeded or failed
   * differently says nothing about why the HEAD failed.
   */
  static <T> CompletableFuture<T> named(MantaException head, MantaException get) {
    if (get != null && get.status() == head.status() && !unnamed(get)) {
      return CompletableFuture.failedFuture(get);
    }
    return CompletableFuture.failedFuture(head);
  }
}
