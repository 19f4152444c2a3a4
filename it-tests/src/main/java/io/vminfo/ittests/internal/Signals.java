package io.vminfo.ittests.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * {@code kill(2)} for the signals the JDK cannot send ({@link ProcessHandle} has only TERM and
 * KILL): STOP and CONT, to freeze a process while a test piles up work for it.
 */
public final class Signals {
  public static final int SIGKILL = 9;
  public static final int SIGTERM = 15;
  public static final int SIGCONT = 18;
  public static final int SIGSTOP = 19;

  /** The one libc call needed. */
  public interface Libc {
    @SaveError
    int kill(int pid, int signal);
  }

  private static volatile Libc libc;

  private Signals() {}

  /** Sends {@code signal} to {@code pid}; throws with errno when the kernel refuses. */
  public static void send(long pid, int signal) {
    if (pid <= 0 || pid > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("not a process id: " + pid);
    }
    Libc c = load();
    if (c.kill((int) pid, signal) != 0) {
      throw new IllegalStateException(
          "kill("
              + pid
              + ", "
              + signal
              + ") failed: errno "
              + Runtime.getRuntime(c).getLastError());
    }
  }

  private static Libc load() {
    Libc c = libc;
    if (c == null) {
      synchronized (Signals.class) {
        c = libc;
        if (c == null) {
          c = LibraryLoader.create(Libc.class).failImmediately().load("c");
          libc = c;
        }
      }
    }
    return c;
  }
}
