package io.vminfo.agent.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Logback set up in code for the daemon: JSON lines on stdout. Skipped when the operator points
 * {@code -Dlogback.configurationFile} at a file of their own; the level still follows {@code
 * log_level} and changes on config reload.
 */
public final class LogSetup {
  private LogSetup() {}

  /** Installs the JSON stdout appender (unless a logback config file is in charge). */
  public static void installJsonStdout(String level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return; // another SLF4J backend: the embedder decides
    }
    if (System.getProperty("logback.configurationFile") == null) {
      ctx.reset();
      JsonLineEncoder encoder = new JsonLineEncoder();
      encoder.setContext(ctx);
      encoder.start();
      ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
      stdout.setContext(ctx);
      stdout.setName("stdout");
      stdout.setEncoder(encoder);
      stdout.start();
      ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(stdout);
    }
    setLevel(level);
  }

  /** Sets the agent's level; chatty libraries stay at INFO or above. */
  public static void setLevel(String level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    Level l = Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO);
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(l);
    Level libs = l.isGreaterOrEqual(Level.INFO) ? l : Level.INFO;
    ctx.getLogger("io.netty").setLevel(libs);
    ctx.getLogger("io.micrometer").setLevel(libs);
    ctx.getLogger("jdk.internal.httpclient").setLevel(libs);
  }
}
