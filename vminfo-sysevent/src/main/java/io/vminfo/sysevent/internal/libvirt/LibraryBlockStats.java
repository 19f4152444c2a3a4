package io.vminfo.sysevent.internal.libvirt;

import io.vminfo.core.concurrent.NamedThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.PointerByReference;

/**
 * Per-disk block counters through libvirt's client library: {@code virDomainLookupByUUIDString},
 * then {@code virDomainListGetStats} with {@code VIR_DOMAIN_STATS_BLOCK} for that one domain. One
 * connection is kept and re-opened after a failure (a restarted libvirtd). A C call cannot be
 * interrupted, so calls run one at a time on this reader's own thread and the caller waits at most
 * {@code timeout}; while a call that outlived its caller is still stuck (a hung libvirtd), later
 * reads fail at once instead of piling up threads.
 */
public final class LibraryBlockStats implements BlockStatsReader, AutoCloseable {
  private final LibvirtLibrary lib;
  private final String uri;
  private final Duration timeout;
  private final ExecutorService calls =
      Executors.newSingleThreadExecutor(NamedThreads.named("vminfo-libvirt-stats"));
  private final Object lock = new Object();
  private Future<?> inFlight;
  private Pointer conn; // only touched on the call thread

  /** The reader, or why libvirt's library cannot be used. */
  public sealed interface Loaded {}

  public record Available(LibraryBlockStats reader) implements Loaded {}

  public record Unavailable(String reason) implements Loaded {}

  public LibraryBlockStats(LibvirtLibrary lib, String uri, Duration timeout) {
    this.lib = Objects.requireNonNull(lib, "lib");
    this.uri = Objects.requireNonNull(uri, "uri");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** Loads {@code libvirt.so.0} (JNR-FFI). */
  public static Loaded load(String uri, Duration timeout) {
    try {
      LibvirtLibrary lib =
          LibraryLoader.create(LibvirtLibrary.class).failImmediately().load("virt");
      if (lib.virInitialize() != 0) {
        return new Unavailable("virInitialize failed: " + lib.virGetLastErrorMessage());
      }
      return new Available(new LibraryBlockStats(lib, uri, timeout));
    } catch (LinkageError | RuntimeException e) {
      return new Unavailable("libvirt.so.0 cannot be loaded: " + e.getMessage());
    }
  }

  @Override
  public String transport() {
    return "libvirt.so.0 virDomainListGetStats (" + uri + ")";
  }

  @Override
  public Map<String, BlockStats.Disk> read(String uuid) throws IOException {
    Future<Map<String, BlockStats.Disk>> f;
    synchronized (lock) {
      if (inFlight != null && !inFlight.isDone()) {
        throw new IOException("libvirt (" + uri + ") has not answered an earlier call yet");
      }
      f = calls.submit(() -> stats(uuid));
      inFlight = f;
    }
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException("libvirt (" + uri + ") did not answer within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for libvirt", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("libvirt block stats of " + uuid + ": " + e.getCause(), e.getCause());
    }
  }

  /** On the call thread. */
  private Map<String, BlockStats.Disk> stats(String uuid) throws IOException {
    if (conn == null) {
      conn = lib.virConnectOpen(uri);
      if (conn == null) {
        throw new IOException(
            "cannot connect to libvirt at " + uri + ": " + lib.virGetLastErrorMessage());
      }
    }
    Pointer dom = lib.virDomainLookupByUUIDString(conn, uuid);
    if (dom == null) {
      String why = lib.virGetLastErrorMessage();
      dropConnection(); // the connection may be what failed; a new one costs little
      throw new IOException("libvirt has no domain " + uuid + ": " + why);
    }
    try {
      Runtime runtime = Runtime.getSystemRuntime();
      Pointer doms = Memory.allocateDirect(runtime, 2 * runtime.addressSize(), true);
      doms.putPointer(0, dom); // the second slot stays NULL: the array's end
      PointerByReference ret = new PointerByReference();
      int n = lib.virDomainListGetStats(doms, LibvirtLibrary.VIR_DOMAIN_STATS_BLOCK, ret, 0);
      if (n < 0) {
        String why = lib.virGetLastErrorMessage();
        dropConnection();
        throw new IOException("libvirt block stats of " + uuid + ": " + why);
      }
      Pointer records = ret.getValue();
      if (records == null) {
        return Map.of();
      }
      try {
        if (n == 0) {
          return Map.of();
        }
        // virDomainStatsRecord: { virDomainPtr dom; virTypedParameterPtr params; int nparams; }
        Pointer record = records.getPointer(0);
        int size = runtime.addressSize();
        Pointer params = record.getPointer(size);
        int nparams = record.getInt(2L * size);
        return BlockStats.parse(TypedParameters.read(params, nparams));
      } finally {
        lib.virDomainStatsRecordListFree(records);
      }
    } finally {
      lib.virDomainFree(dom);
    }
  }

  private void dropConnection() {
    if (conn != null) {
      lib.virConnectClose(conn);
      conn = null;
    }
  }

  /** Closes the connection (after a call in flight, if it finishes within the timeout). */
  @Override
  public void close() {
    calls.execute(this::dropConnection);
    calls.shutdown();
    try {
      if (!calls.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        calls.shutdownNow();
      }
    } catch (InterruptedException e) {
      calls.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
