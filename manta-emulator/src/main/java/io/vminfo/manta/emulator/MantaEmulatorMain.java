package io.vminfo.manta.emulator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an emulator until killed: {@code java -cp ... io.vminfo.manta.emulator.MantaEmulatorMain
 * --port 0 --root DIR --key alice=id_rsa.pub}. Prints {@code MANTA_URL=...} on standard output once
 * it listens.
 */
public final class MantaEmulatorMain {
  private MantaEmulatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    PrintStream out = System.out;
    MantaEmulator.Builder b = MantaEmulator.builder();
    boolean rooted = false;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("-h") || a.equals("--help")) {
          usage(out);
          return;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--port":
            b.port(Integer.parseInt(v));
            break;
          case "--host":
            b.host(v);
            break;
          case "--root":
            b.root(Path.of(v));
            rooted = true;
            break;
          case "--key":
            {
              int eq = v.indexOf('=');
              if (eq <= 0) {
                throw new IllegalArgumentException("--key wants LOGIN=PUBLIC_KEY_FILE, got " + v);
              }
              String who = v.substring(0, eq);
              Path file = Path.of(v.substring(eq + 1));
              int slash = who.indexOf('/');
              if (slash > 0) {
                b.subuserKey(
                    who.substring(0, slash),
                    who.substring(slash + 1),
                    java.nio.file.Files.readString(file));
              } else {
                b.keyFile(who, file);
              }
              break;
            }
          case "--login":
            b.login(v);
            break;
          case "--role":
            {
              int eq = v.indexOf('=');
              if (eq <= 0) {
                throw new IllegalArgumentException("--role wants LOGIN=ROLE, got " + v);
              }
              b.role(v.substring(0, eq), v.substring(eq + 1));
              break;
            }
          case "--server-name":
            b.serverName(v);
            break;
          default:
            throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (!rooted) {
        throw new IllegalArgumentException("--root DIR is required");
      }
    } catch (RuntimeException | java.io.IOException e) {
      System.err.println("manta-emulator: " + e.getMessage());
      usage(System.err);
      System.exit(2);
      return;
    }
    MantaEmulator emulator = b.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  emulator.close();
                  stopped.countDown();
                },
                "manta-emulator-shutdown"));
    out.println("MANTA_URL=" + emulator.url());
    out.flush();
    stopped.await();
  }

  private static void usage(PrintStream out) {
    out.println(
        "usage: MantaEmulatorMain --root DIR [--port N] [--host ADDR] [--key LOGIN[/SUBUSER]=KEY.pub]..."
            + " [--login LOGIN]... [--role LOGIN=ROLE]... [--server-name NAME]");
  }
}
