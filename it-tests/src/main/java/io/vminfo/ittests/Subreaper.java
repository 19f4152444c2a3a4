package io.vminfo.ittests;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * A tiny launcher that makes itself a child subreaper ({@code prctl(PR_SET_CHILD_SUBREAPER)}),
 * starts one command and reaps every orphan below it until that command exits.
 *
 * <p>Why: libvirtd starts QEMU as a daemon; when a guest is destroyed its QEMU process becomes an
 * orphan. Without a subreaper it is re-parented to PID 1, which on these machines reaps only every
 * ~2 s, and libvirtd waits for that: {@code virsh destroy} takes 1.2-1.9 s. Under this launcher the
 * orphan is reaped at once (~0.2 s).
 *
 * <p>Usage: {@code Subreaper <log file> <command> [args...]}. Prints {@code pid <N>} (the command's
 * pid) as its first stdout line; the command's output goes to the log file. Exits with the
 * command's exit status.
 */
public final class Subreaper {
  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final int ECHILD = 10;
  private static final int EINTR = 4;

  /** The libc calls the launcher needs. */
  public interface Libc {
    @SaveError
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    @SaveError
    int waitpid(int pid, @Out int[] status, int options);
  }

  private Subreaper() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: Subreaper <log file> <command> [args...]");
      System.exit(2);
    }
    Libc libc = LibraryLoader.create(Libc.class).failImmediately().load("c");
    if (libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
      System.err.println(
          "prctl(PR_SET_CHILD_SUBREAPER) failed: errno " + Runtime.getRuntime(libc).getLastError());
      System.exit(3);
    }
    List<String> command = Arrays.asList(args).subList(1, args.length);
    File log = new File(args[0]);
    Process child =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    System.out.println("pid " + child.pid());
    System.out.flush();
    int[] status = new int[1];
    while (true) {
      int pid = libc.waitpid(-1, status, 0);
      if (pid < 0) {
        int errno = Runtime.getRuntime(libc).getLastError();
        if (errno == EINTR) {
          continue;
        }
        if (errno == ECHILD) {
          // The JDK's own reaper collected the command first.
          System.exit(child.isAlive() ? 1 : child.exitValue());
        }
        System.exit(4);
      }
      if (pid == child.pid()) {
        int s = status[0];
        System.exit((s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f));
      }
      // any other pid: an orphaned descendant (e.g. a destroyed guest's QEMU), now reaped
    }
  }
}
