package io.vminfo.sysevent.internal.libvirt;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/** The part of libvirt's C client API ({@code libvirt.so.0}) the guest actions call. */
public interface LibvirtLibrary {
  int VIR_DOMAIN_SHUTOFF = 5;

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

  /** The calling thread's last error, or "no error". */
  String virGetLastErrorMessage();
}
