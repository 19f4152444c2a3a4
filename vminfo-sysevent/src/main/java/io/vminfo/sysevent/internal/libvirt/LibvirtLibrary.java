package io.vminfo.sysevent.internal.libvirt;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;

/**
 * The part of libvirt's C client API ({@code libvirt.so.0}) vminfo calls: the guest actions, and
 * the block statistics of the usage probe.
 */
public interface LibvirtLibrary {
  int VIR_DOMAIN_SHUTOFF = 5;

  /** {@code VIR_DOMAIN_STATS_BLOCK}: the {@code block.*} group of domain statistics. */
  int VIR_DOMAIN_STATS_BLOCK = 1 << 5;

  int virInitialize();

  Pointer virConnectOpen(String uri);

  int virConnectClose(Pointer conn);

  Pointer virDomainLookupByUUIDString(Pointer conn, String uuid);

  int virDomainFree(Pointer domain);

  int virDomainCreate(Pointer domain);

  int virDomainShutdown(Pointer domain);

  int virDomainDestroy(Pointer domain);

  int virDomainSuspend(Pointer domain);

  int virDomainResume(Pointer domain);

  int virDomainGetState(Pointer domain, IntByReference state, IntByReference reason, int flags);

  /**
   * {@code virDomainListGetStats}: statistics of the domains of the NULL-terminated array {@code
   * doms}; {@code retStats} receives a NULL-terminated array of {@code virDomainStatsRecord}
   * pointers (free with {@link #virDomainStatsRecordListFree}). Returns the number of records, or
   * -1.
   */
  int virDomainListGetStats(Pointer doms, int stats, PointerByReference retStats, int flags);

  void virDomainStatsRecordListFree(Pointer stats);

  /** The calling thread's last error, or "no error". */
  String virGetLastErrorMessage();
}
