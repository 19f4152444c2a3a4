package io.vminfo.manta;

import io.vminfo.manta.internal.BodySource;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A request body. Files and suppliers are streamed and can be sent again on a retry; a plain {@link
 * InputStream} is sent once (a failure after it was read is not retried). Streams are read on the
 * client's body-reader threads (never an I/O thread), a few 128 KiB chunks ahead of the connection,
 * so a slow stream holds back only its own request.
 */
public final class MantaBody {
  private final BodySource source;

  private MantaBody(BodySource source) {
    this.source = source;
  }

  public static MantaBody ofFile(Path file) {
    return new MantaBody(BodySource.file(Objects.requireNonNull(file, "file")));
  }

  public static MantaBody ofBytes(byte[] data) {
    return new MantaBody(BodySource.bytes(Objects.requireNonNull(data, "data").clone()));
  }

  public static MantaBody ofString(String text) {
    return ofBytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * @param length the exact byte count, or -1 if unknown (sent chunked)
   */
  public static MantaBody ofStream(InputStream in, long length) {
    return new MantaBody(BodySource.stream(Objects.requireNonNull(in, "in"), checkLength(length)));
  }

  /** A body that can be re-read: {@code supplier} opens it anew for each attempt. */
  public static MantaBody ofStreams(Supplier<InputStream> supplier, long length) {
    return new MantaBody(
        BodySource.streams(Objects.requireNonNull(supplier, "supplier"), checkLength(length)));
  }

  public long length() {
    return source.length();
  }

  BodySource source() {
    return source;
  }

  private static long checkLength(long length) {
    if (length < -1) {
      throw new IllegalArgumentException("length must be >= 0, or -1 for unknown");
    }
    return length;
  }
}
