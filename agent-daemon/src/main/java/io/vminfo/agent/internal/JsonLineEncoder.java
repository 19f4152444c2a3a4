package io.vminfo.agent.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vminfo.core.text.IsoMillis;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * One JSON object per log event, one per line: {@code
 * {"time":"...Z","level":"INFO","logger":"...","thread":"...","msg":"...","mdc":{...},"error":"..."}}
 * so systemd's journal and SMF's log files hold machine-readable lines.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] EMPTY = new byte[0];
  private static final int MAX_FRAMES = 50;

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", IsoMillis.format(Instant.ofEpochMilli(event.getTimeStamp())));
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("msg", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null && !mdc.isEmpty()) {
        g.writeObjectFieldStart("mdc");
        for (Map.Entry<String, String> e : mdc.entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      IThrowableProxy t = event.getThrowableProxy();
      if (t != null) {
        g.writeStringField("error", describe(t));
      }
      g.writeEndObject();
    } catch (IOException e) {
      return ("{\"level\":\"ERROR\",\"msg\":\"log encoding failed\"}\n")
          .getBytes(StandardCharsets.UTF_8);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static String describe(IThrowableProxy t) {
    StringBuilder sb = new StringBuilder();
    int depth = 0;
    for (IThrowableProxy cur = t; cur != null && depth < 5; cur = cur.getCause(), depth++) {
      if (depth > 0) {
        sb.append("\nCaused by: ");
      }
      sb.append(cur.getClassName()).append(": ").append(cur.getMessage());
      StackTraceElementProxy[] frames = cur.getStackTraceElementProxyArray();
      for (int i = 0; i < frames.length && i < MAX_FRAMES; i++) {
        sb.append("\n\tat ").append(frames[i].getStackTraceElement());
      }
    }
    return sb.toString();
  }
}
