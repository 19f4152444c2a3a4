package io.vminfo.sysevent.internal.usage;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.OptionalLong;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * {@code stat(2)} for allocated blocks (the JDK exposes sizes, not {@code st_blocks}) and {@code
 * sysconf(_SC_CLK_TCK)}, through JNR-FFI. Loaded separately from the inotify binding so a libc
 * without the {@code stat} symbol (glibc before 2.33) only loses disk allocation.
 */
public final class NativeStat {
  /** libc's view of the two calls. */
  public interface Calls {
    int stat(@In byte[] path, Pointer buf);

    long sysconf(int name);
  }

  private static final int SC_CLK_TCK = 2;
  // st_blocks sits at byte 64 of struct stat on both x86_64 and aarch64 Linux.
  private static final int ST_BLOCKS_OFFSET = 64;
  private static final int STAT_BUFFER = 256;
  private static final Calls CALLS = load();
  private static final long CLK_TCK = clockTicks();

  private NativeStat() {}

  private static Calls load() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux")
        || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
      return null;
    }
    try {
      return LibraryLoader.create(Calls.class).failImmediately().load("c");
    } catch (Throwable t) {
      return null;
    }
  }

  private static long clockTicks() {
    if (CALLS != null) {
      try {
        long t = CALLS.sysconf(SC_CLK_TCK);
        if (t > 0) {
          return t;
        }
      } catch (Throwable ignored) {
        // fall through to the Linux default
      }
    }
    return 100;
  }

  /** Clock ticks per second of {@code /proc/<pid>/stat} times. */
  public static long clockTicksPerSecond() {
    return CLK_TCK;
  }

  /** Bytes allocated on disk for {@code path} (st_blocks * 512), when the platform allows. */
  public static OptionalLong allocatedBytes(String path) {
    if (CALLS == null) {
      return OptionalLong.empty();
    }
    Pointer buf = Memory.allocateDirect(Runtime.getRuntime(CALLS), STAT_BUFFER);
    byte[] p = (path + '\0').getBytes(StandardCharsets.UTF_8);
    if (CALLS.stat(p, buf) != 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(buf.getLong(ST_BLOCKS_OFFSET) * 512L);
  }
}
