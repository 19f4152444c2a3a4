package io.vminfo.cli.internal;

/**
 * Runs a clean-up when the JVM is told to stop (Ctrl-C, SIGTERM) while a command follows a stream,
 * and is removed again when the command ends by itself. The JVM exits 130 after Ctrl-C.
 */
public final class Shutdown implements AutoCloseable {
  private final Thread hook;

  private Shutdown(Thread hook) {
    this.hook = hook;
  }

  public static Shutdown onExit(String name, Runnable cleanup) {
    Thread hook = new Thread(cleanup, name);
    Runtime.getRuntime().addShutdownHook(hook);
    return new Shutdown(hook);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs (or ran) anyway.
    }
  }
}
