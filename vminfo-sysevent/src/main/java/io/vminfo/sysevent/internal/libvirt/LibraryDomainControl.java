package io.vminfo.sysevent.internal.libvirt;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Domain calls through libvirt's own client library, loaded with JNR-FFI: no process per call, and
 * libvirt's own error messages. A C call cannot be interrupted, so each runs on one of this class's
 * threads while the caller waits at most until its deadline; a call that outlives it (a hung
 * libvirtd) is reported as timed out and its thread is left to finish. Each action opens its own
 * connection, so a restarted libvirtd costs nothing.
 */
public final class LibraryDomainControl implements DomainControl {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final LibvirtLibrary lib;
  private final String uri;
  private final ExecutorService calls =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "vminfo-libvirt-call-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private LibraryDomainControl(LibvirtLibrary lib, String uri) {
    this.lib = lib;
    this.uri = uri;
  }

  /** Loads {@code libvirt.so.0}; empty (with the reason logged by the caller) when it cannot. */
  public static Optional<LibraryDomainControl> load(String uri) {
    return loadLibrary().map(lib -> new LibraryDomainControl(lib, uri));
  }

  static Optional<LibvirtLibrary> loadLibrary() {
    try {
      LibvirtLibrary lib =
          LibraryLoader.create(LibvirtLibrary.class).failImmediately().load("virt");
      return lib.virInitialize() == 0 ? Optional.of(lib) : Optional.empty();
    } catch (LinkageError | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public String transport() {
    return "libvirt.so.0 (" + uri + ")";
  }

  @Override
  public void call(Call call, String uuid, long deadlineNanos) throws IOException {
    onDomain(
        uuid,
        deadlineNanos,
        call.virshName(),
        dom -> {
          int rc =
              switch (call) {
                case START -> lib.virDomainCreate(dom);
                case SHUTDOWN -> lib.virDomainShutdown(dom);
                case DESTROY -> lib.virDomainDestroy(dom);
                case SUSPEND -> lib.virDomainSuspend(dom);
                case RESUME -> lib.virDomainResume(dom);
              };
          if (rc != 0) {
            throw new IOException(
                "libvirt "
                    + call.virshName()
                    + " "
                    + uuid
                    + " failed: "
                    + lib.virGetLastErrorMessage());
          }
          return null;
        });
  }

  @Override
  public boolean shutOff(String uuid, long deadlineNanos) throws IOException {
    return onDomain(
        uuid,
        deadlineNanos,
        "state",
        dom -> {
          IntByReference state = new IntByReference();
          IntByReference reason = new IntByReference();
          if (lib.virDomainGetState(dom, state, reason, 0) != 0) {
            throw new IOException("libvirt state of " + uuid + ": " + lib.virGetLastErrorMessage());
          }
          return state.intValue() == LibvirtLibrary.VIR_DOMAIN_SHUTOFF;
        });
  }

  @FunctionalInterface
  private interface DomainCall<T> {
    T run(Pointer domain) throws IOException;
  }

  /** Connects, looks the domain up, runs {@code body}, frees both, all on a call thread. */
  private <T> T onDomain(String uuid, long deadlineNanos, String what, DomainCall<T> body)
      throws IOException {
    Callable<T> task =
        () -> {
          Pointer conn = lib.virConnectOpen(uri);
          if (conn == null) {
            throw new IOException(
                "cannot connect to libvirt at " + uri + ": " + lib.virGetLastErrorMessage());
          }
          try {
            Pointer dom = lib.virDomainLookupByUUIDString(conn, uuid);
            if (dom == null) {
              throw new IOException(
                  "libvirt has no domain " + uuid + ": " + lib.virGetLastErrorMessage());
            }
            try {
              return body.run(dom);
            } finally {
              lib.virDomainFree(dom);
            }
          } finally {
            lib.virConnectClose(conn);
          }
        };
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw new IOException("libvirt " + what + ": the action's timeout passed");
    }
    Future<T> f = calls.submit(task);
    try {
      return f.get(left, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "libvirt " + what + " " + uuid + " did not answer within the action's" + " timeout");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for libvirt " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(
          "libvirt " + what + " " + uuid + " failed: " + e.getCause(), e.getCause());
    }
  }
}
