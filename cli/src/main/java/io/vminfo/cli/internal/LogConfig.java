package io.vminfo.cli.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * Logging for the command line: library warnings go to stderr as short lines (stdout is for results
 * only); {@code --debug} shows everything. Configured in code, before anything logs, so no
 * logback.xml of the agent's (the distribution shares one lib directory) takes over.
 */
public final class LogConfig {
  private LogConfig() {}

  public static void configure(boolean debug) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    if (System.getProperty("logback.configurationFile") != null) {
      return; // the user's own configuration wins
    }
    ctx.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern(
        debug
            ? "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36}: %msg%n"
            : "vminfo: %level: %msg%n");
    encoder.setCharset(java.nio.charset.StandardCharsets.UTF_8);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(ctx);
    stderr.setName("stderr");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(stderr);
    root.setLevel(debug ? Level.DEBUG : Level.WARN);
    Level libs = debug ? Level.INFO : Level.WARN;
    ctx.getLogger("io.netty").setLevel(libs);
    ctx.getLogger("jdk.internal.httpclient").setLevel(libs);
    ctx.getLogger("com.networknt").setLevel(libs);
  }
}
