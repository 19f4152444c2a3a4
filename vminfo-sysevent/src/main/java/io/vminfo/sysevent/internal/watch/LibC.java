package io.vminfo.sysevent.internal.watch;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/** The libc calls the inotify watcher needs, bound through JNR-FFI. */
public interface LibC {
  int IN_CLOEXEC = 0x80000;
  int IN_NONBLOCK = 0x800;

  int IN_MODIFY = 0x2;
  int IN_CLOSE_WRITE = 0x8;
  int IN_MOVED_FROM = 0x40;
  int IN_MOVED_TO = 0x80;
  int IN_CREATE = 0x100;
  int IN_DELETE = 0x200;
  int IN_DELETE_SELF = 0x400;
  int IN_MOVE_SELF = 0x800;
  int IN_UNMOUNT = 0x2000;
  int IN_Q_OVERFLOW = 0x4000;
  int IN_IGNORED = 0x8000;
  int IN_ONLYDIR = 0x01000000;
  int IN_ISDIR = 0x40000000;

  int EFD_CLOEXEC = 0x80000;
  int EFD_NONBLOCK = 0x800;

  short POLLIN = 0x1;

  int EINTR = 4;
  int EAGAIN = 11;

  @SaveError
  int inotify_init1(int flags);

  @SaveError
  int inotify_add_watch(int fd, @In byte[] nulTerminatedPath, int mask);

  @SaveError
  int inotify_rm_watch(int fd, int wd);

  @SaveError
  int eventfd(int initval, int flags);

  @SaveError
  int poll(Pointer fds, @u_int64_t long nfds, int timeoutMillis);

  @SaveError
  @ssize_t
  long read(int fd, Pointer buf, @size_t long count);

  @SaveError
  @ssize_t
  long write(int fd, Pointer buf, @size_t long count);

  @SaveError
  int close(int fd);

  String strerror(int errnum);
}
