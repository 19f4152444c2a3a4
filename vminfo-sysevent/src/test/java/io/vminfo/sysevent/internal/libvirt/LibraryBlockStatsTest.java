package io.vminfo.sysevent.internal.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The library calls around the statistics, with a fake {@code libvirt.so.0} (the C boundary). */
class LibraryBlockStatsTest {
  static final String UUID = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
  static final Runtime RUNTIME = Runtime.getSystemRuntime();

  final FakeLibvirt lib = new FakeLibvirt();
  LibraryBlockStats reader;

  @AfterEach
  void close() {
    lib.release.countDown();
    if (reader != null) {
      reader.close();
    }
  }

  @Test
  void readsOneDomainsBlockGroupAndFreesWhatLibvirtAllocated() throws Exception {
    reader = new LibraryBlockStats(lib, "qemu:///system", Duration.ofSeconds(10));
    Map<String, BlockStats.Disk> disks = reader.read(UUID);
    assertThat(disks)
        .containsExactly(
            Map.entry("vda", new BlockStats.Disk(Optional.of("/img/t1.raw"), 3, 1536, 2, 1024)));
    assertThat(lib.statsFlags).isEqualTo(LibvirtLibrary.VIR_DOMAIN_STATS_BLOCK);
    assertThat(lib.domainsPassed).isEqualTo(1);
    assertThat(lib.listsFreed.get()).isEqualTo(1);
    assertThat(lib.domainsFreed.get()).isEqualTo(1);
    reader.read(UUID);
    assertThat(lib.connects.get()).as("the connection is kept").isEqualTo(1);
  }

  @Test
  void aFailedCallSaysLibvirtsReasonAndReconnectsNextTime() throws Exception {
    reader = new LibraryBlockStats(lib, "qemu:///system", Duration.ofSeconds(10));
    lib.statsResult = -1;
    assertThatThrownBy(() -> reader.read(UUID))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Requested operation is not valid: domain is not running");
    lib.statsResult = 1;
    assertThat(reader.read(UUID)).containsKey("vda");
    assertThat(lib.connects.get()).isEqualTo(2);
    assertThat(lib.closes.get()).isEqualTo(1);

    lib.lookupFails = true;
    assertThatThrownBy(() -> reader.read(UUID)).hasMessageContaining("has no domain " + UUID);
    lib.lookupFails = false;
    lib.connectFails = true;
    assertThatThrownBy(() -> reader.read(UUID)).hasMessageContaining("cannot connect to libvirt");
  }

  @Test
  void aHungLibvirtdCostsOneTimeoutThenFailsAtOnce() throws Exception {
    reader = new LibraryBlockStats(lib, "qemu:///system", Duration.ofMillis(200));
    lib.hang = true;
    assertThatThrownBy(() -> reader.read(UUID)).hasMessageContaining("did not answer within");
    assertThatThrownBy(() -> reader.read(UUID))
        .hasMessageContaining("has not answered an earlier call");
    lib.hang = false;
    lib.release.countDown();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> reader.read(UUID).containsKey("vda"));
  }

  @Test
  void aMissingLibraryIsAReasonNotAnError() {
    // This machine may or may not have libvirt.so.0: either way load() answers, never throws.
    LibraryBlockStats.Loaded loaded =
        LibraryBlockStats.load("qemu:///system", Duration.ofSeconds(1));
    if (loaded instanceof LibraryBlockStats.Available a) {
      a.reader().close();
    } else {
      assertThat(((LibraryBlockStats.Unavailable) loaded).reason()).isNotBlank();
    }
  }

  /** A libvirt that answers with one statistics record built in native memory. */
  static final class FakeLibvirt implements LibvirtLibrary {
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger listsFreed = new AtomicInteger();
    final AtomicInteger domainsFreed = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    volatile int statsResult = 1;
    volatile boolean lookupFails;
    volatile boolean connectFails;
    volatile boolean hang;
    volatile String lastError = "no error";
    volatile int statsFlags;
    volatile int domainsPassed;
    final Pointer conn = Memory.allocateDirect(RUNTIME, 8, true);
    final Pointer dom = Memory.allocateDirect(RUNTIME, 8, true);
    final TypedParametersTest.Params params =
        new TypedParametersTest.Params()
            .ullong("block.count", 1)
            .string("block.0.name", "vda")
            .string("block.0.path", "/img/t1.raw")
            .ullong("block.0.rd.reqs", 3)
            .ullong("block.0.rd.bytes", 1536)
            .ullong("block.0.wr.reqs", 2)
            .ullong("block.0.wr.bytes", 1024);
    final Pointer paramArray = params.build();

    @Override
    public int virInitialize() {
      return 0;
    }

    @Override
    public Pointer virConnectOpen(String uri) {
      if (connectFails) {
        lastError =
            "Failed to connect socket to '/run/libvirt/libvirt-sock': No such file or directory";
        return null;
      }
      connects.incrementAndGet();
      return conn;
    }

    @Override
    public int virConnectClose(Pointer c) {
      closes.incrementAndGet();
      return 0;
    }

    @Override
    public Pointer virDomainLookupByUUIDString(Pointer c, String uuid) {
      if (lookupFails) {
        lastError = "Domain not found: no domain with matching uuid '" + uuid + "'";
        return null;
      }
      return dom;
    }

    @Override
    public int virDomainFree(Pointer d) {
      domainsFreed.incrementAndGet();
      return 0;
    }

    @Override
    public int virDomainListGetStats(Pointer doms, int stats, PointerByReference ret, int flags) {
      if (hang) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      statsFlags = stats;
      int n = 0;
      while (doms.getPointer((long) n * RUNTIME.addressSize()) != null) {
        n++;
      }
      domainsPassed = n;
      if (statsResult < 0) {
        lastError = "Requested operation is not valid: domain is not running";
        return -1;
      }
      int size = RUNTIME.addressSize();
      Pointer record = Memory.allocateDirect(RUNTIME, 3 * size, true);
      record.putPointer(0, dom);
      record.putPointer(size, paramArray);
      record.putInt(2L * size, params.entries.size());
      Pointer list = Memory.allocateDirect(RUNTIME, 2 * size, true);
      list.putPointer(0, record);
      params.keepAlive.add(record);
      params.keepAlive.add(list);
      // As the native call returns it: libvirt writes the list's address into *retStats.
      Pointer out = Memory.allocateDirect(RUNTIME, size, true);
      out.putPointer(0, list);
      ret.fromNative(RUNTIME, out, 0);
      params.keepAlive.add(out);
      return 1;
    }

    @Override
    public void virDomainStatsRecordListFree(Pointer s) {
      listsFreed.incrementAndGet();
    }

    @Override
    public int virDomainCreate(Pointer d) {
      return 0;
    }

    @Override
    public int virDomainShutdown(Pointer d) {
      return 0;
    }

    @Override
    public int virDomainDestroy(Pointer d) {
      return 0;
    }

    @Override
    public int virDomainSuspend(Pointer d) {
      return 0;
    }

    @Override
    public int virDomainResume(Pointer d) {
      return 0;
    }

    @Override
    public int virDomainGetState(
        Pointer d, IntByReference state, IntByReference reason, int flags) {
      return 0;
    }

    @Override
    public String virGetLastErrorMessage() {
      return lastError;
    }
  }
}
