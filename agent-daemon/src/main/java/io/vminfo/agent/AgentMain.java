package io.vminfo.agent;

import io.vminfo.agent.internal.ConfigSchema;
import io.vminfo.agent.internal.ConfigWatcher;
import io.vminfo.agent.internal.LogSetup;
import io.vminfo.agent.internal.Setting;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vminfod}: runs the agent until SIGTERM/SIGINT, then stops it gracefully. Exit codes: 0
 * after a clean stop, 1 when the agent cannot start, 2 for a configuration error.
 */
public final class AgentMain {
  private static final Duration CONFIG_POLL = Duration.ofSeconds(2);

  private AgentMain() {}

  public static void main(String[] args) {
    int code = run(List.of(args), System.getenv(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, out, err, null);
  }

  /** As {@link #run(List, Map, PrintStream, PrintStream)}, with another backend (tests). */
  static int run(
      List<String> args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      BackendFactory backends) {
    List<String> rest = new ArrayList<>();
    boolean print = false;
    boolean check = false;
    for (String a : args) {
      switch (a) {
        case "-h", "--help" -> {
          help(out);
          return 0;
        }
        case "--version" -> {
          out.println("vminfod " + version());
          return 0;
        }
        case "--print-config" -> print = true;
        case "--check-config" -> check = true;
        default -> rest.add(a);
      }
    }
    AgentConfig config;
    try {
      config = AgentConfig.load(rest, env);
    } catch (AgentConfigException e) {
      err.println("vminfod: config error: " + e.getMessage());
      return 2;
    }
    if (print || check) {
      out.println("# config file: " + config.file().map(Object::toString).orElse("(none)"));
      config.warnings().forEach(w -> out.println("# warning: " + w));
      if (print) {
        config.describe().forEach((k, v) -> out.println(k + " = " + v));
      }
      return 0;
    }

    LogSetup.installJsonStdout(config.logLevel());
    Logger log = LoggerFactory.getLogger(AgentMain.class);
    log.info(
        "vminfod {} starting (java {}, pid {})",
        version(),
        Runtime.version(),
        ProcessHandle.current().pid());
    log.info(
        "config file: {}",
        config
            .file()
            .map(Object::toString)
            .orElse(
                "none ("
                    + io.vminfo.agent.internal.ConfigLoader.DEFAULT_FILE
                    + " does not exist; using defaults, env and flags)"));
    config.warnings().forEach(log::warn);
    config.describe().forEach((k, v) -> log.debug("config {} = {}", k, v));

    Agent.Builder builder = Agent.builder(config).env(env).logLevelSetter(LogSetup::setLevel);
    if (backends != null) {
      builder.backendFactory(backends);
    }
    Agent agent = builder.build();
    Thread hook =
        new Thread(
            () -> {
              agent.stop();
              if (LoggerFactory.getILoggerFactory()
                  instanceof ch.qos.logback.classic.LoggerContext ctx) {
                ctx.stop(); // flush before the JVM exits
              }
            },
            "vminfo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      agent.start();
    } catch (java.io.IOException e) {
      log.error("cannot start: {}", e.getMessage()); // a known condition, said in full
      return 1;
    } catch (Exception e) {
      log.error("cannot start: {}", e.toString(), e);
      return 1;
    }

    ScheduledExecutorService watcherThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vminfo-config-watch");
              t.setDaemon(true);
              return t;
            });
    ConfigWatcher watcher =
        config
            .file()
            .map(
                f ->
                    new ConfigWatcher(
                        f,
                        CONFIG_POLL,
                        watcherThread,
                        () -> agent.reload(AgentConfig.load(rest, env))))
            .orElse(null);
    try {
      while (!agent.awaitStopped(Duration.ofDays(1))) {
        // keep the main thread (the only non-daemon one) alive until stopped
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (watcher != null) {
        watcher.close();
      }
      watcherThread.shutdownNow();
    }
    return 0;
  }

  static String version() {
    String v = AgentMain.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static void help(PrintStream out) {
    out.println(
        """
        Usage: vminfod [--config FILE] [--KEY=VALUE ...] [--print-config | --check-config]

        Runs the vminfo agent: a live cache of this host's VMs, served over HTTP with a
        resumable change feed (GET /ping /status /vms /vms/{id} /events /usage /metrics).

        Configuration, later sources winning:
          1. the JSON file: --config FILE, else $VMINFO_CONFIG, else /etc/opt/vminfo/agent.json
             (optional); nested objects name the dotted keys below
          2. environment: VMINFO_<KEY> (dots as _, upper case); MANTA_* for the Manta keys
          3. flags: --<key>=<value> (or --<key> <value>; - and _ are the same)
        Unknown keys and bad values stop the agent with a message. Keys marked * are applied when
        the file changes; the others need a restart.

          --print-config   print the effective configuration and where each value came from
          --check-config   validate the configuration and exit
          --version        print the version

        Keys:""");
    for (Setting s : ConfigSchema.SETTINGS) {
      out.printf(
          "  %s%-32s %s%n      default %s; env %s%n",
          s.reloadable() ? "*" : " ",
          s.key(),
          s.help(),
          s.defaultValue().orElse("(none)"),
          s.envName());
    }
  }
}
