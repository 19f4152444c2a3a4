package io.vminfo.sysevent.internal.watch;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads {@link LibC} once per JVM. */
final class NativeLibC {
  private static final Holder HOLDER = load();

  private NativeLibC() {}

  static LibC get() {
    if (HOLDER.error != null) {
      throw new IllegalStateException("libc could not be loaded through JNR-FFI", HOLDER.error);
    }
    return HOLDER.libc;
  }

  static boolean available() {
    return HOLDER.error == null;
  }

  static Runtime runtime() {
    return Runtime.getRuntime(get());
  }

  static int errno() {
    return runtime().getLastError();
  }

  static String describeErrno(int errno) {
    try {
      return get().strerror(errno) + " (errno " + errno + ")";
    } catch (RuntimeException e) {
      return "errno " + errno;
    }
  }

  private static Holder load() {
    try {
      LibC libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
      return new Holder(libc, null);
    } catch (Throwable t) {
      return new Holder(null, t);
    }
  }

  private record Holder(LibC libc, Throwable error) {}
}
