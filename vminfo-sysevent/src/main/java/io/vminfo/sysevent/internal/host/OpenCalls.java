package io.vminfo.sysevent.internal.host;

import jnr.ffi.annotations.SaveError;

/** The libc calls {@link RegularFileOpener} binds through JNR-FFI (public: JNR implements it). */
public interface OpenCalls {
  @SaveError
  int open(String path, int flags);

  int close(int fd);
}
