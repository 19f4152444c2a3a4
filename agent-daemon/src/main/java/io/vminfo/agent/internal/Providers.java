package io.vminfo.agent.internal;

import io.vminfo.sysevent.Backends;

/**
 * The providers this agent process found at class loading, once: the config schema learns their
 * keys and names from these same lists, so what the config accepts and what can be made agree.
 */
public final class Providers {
  /** Host backends ({@code backend}). */
  public static final Backends BACKENDS = Backends.installed();

  /** Usage store targets ({@code storage.target}). */
  public static final StoreProviders STORES = StoreProviders.installed();

  /** The backend {@code backend=auto} runs when no provider recognises the host. */
  public static final String FALLBACK_BACKEND = "example";

  private Providers() {}
}
