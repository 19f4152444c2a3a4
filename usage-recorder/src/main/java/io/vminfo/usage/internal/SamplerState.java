package io.vminfo.usage.internal;

import io.vminfo.core.text.IsoMillis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timestamp of the newest sample the spool ever held, kept across restarts. The open files'
 * last summary lines say it too, so the spool only brings this file up to date (atomic replace)
 * before an open file goes away (sealed or dropped) and at a clean stop: one small write an hour
 * rather than one per sample. Together they tell a restarted sampler where to go on, so a clock
 * that went backwards, or a restart within the same minute, never writes a {@code (uuid,
 * timestamp)} twice.
 */
public final class SamplerState {
  private static final Logger log = LoggerFactory.getLogger(SamplerState.class);
  private static final Pattern LAST = Pattern.compile("\\{\"last_sample\":\"([^\"]+)\"}\\s*");

  private final Path file;
  private final FileChannels io;

  public SamplerState(Path file, FileChannels io) {
    this.file = file;
    this.io = io;
  }

  public Optional<Instant> read() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      log.warn(
          "cannot read sampler state {}: {}; going by the spool files alone", file, e.toString());
      return Optional.empty();
    }
    Matcher m = LAST.matcher(text);
    Optional<Instant> t = m.matches() ? IsoMillis.tryParse(m.group(1)) : Optional.empty();
    if (t.isEmpty()) {
      log.warn("sampler state {} is damaged; going by the spool files alone", file);
    }
    return t;
  }

  public void write(Instant lastSample) throws IOException {
    Durable.createDirectories(file.getParent());
    String text = "{\"last_sample\":\"" + IsoMillis.format(lastSample) + "\"}\n";
    Durable.replaceFile(file, text.getBytes(StandardCharsets.UTF_8), io);
  }
}
