package io.vminfo.sysevent.internal.libvirt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import jnr.ffi.Pointer;

/**
 * Reads libvirt's {@code virTypedParameter} arrays (x86_64/aarch64 layout): {@code char field[80]},
 * {@code int type}, then an 8-byte aligned union at offset 88; 96 bytes per parameter.
 */
public final class TypedParameters {
  static final int FIELD_LENGTH = 80;
  static final int TYPE_OFFSET = 80;
  static final int VALUE_OFFSET = 88;
  static final int SIZE = 96;

  static final int INT = 1;
  static final int UINT = 2;
  static final int LLONG = 3;
  static final int ULLONG = 4;
  static final int DOUBLE = 5;
  static final int BOOLEAN = 6;
  static final int STRING = 7;

  /** Keeps at most this many parameters of one record: a count beyond it is not libvirt's. */
  static final int MAX_PARAMS = 1 << 16;

  private TypedParameters() {}

  /**
   * One parameter. {@code value} is a {@link Long} for the integer types (an unsigned 64-bit value
   * beyond {@link Long#MAX_VALUE} is {@link Unsigned}), a {@link Double}, a {@link Boolean} or a
   * {@link String}; {@link Unknown} for a type this code does not know.
   */
  public record TypedParameter(String field, Object value) {
    public TypedParameter {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(value, "value");
    }
  }

  /** An unsigned 64-bit value too large for a {@code long}: kept so it is never misread. */
  public record Unsigned(long bits) {}

  /** A parameter of a type libvirt may add later. */
  public record Unknown(int type) {}

  /** Decodes {@code count} parameters starting at {@code params}. */
  public static List<TypedParameter> read(Pointer params, int count) {
    if (count < 0 || count > MAX_PARAMS) {
      throw new IllegalArgumentException("implausible typed parameter count " + count);
    }
    if (count > 0 && params == null) {
      throw new IllegalArgumentException(count + " typed parameters at a NULL address");
    }
    List<TypedParameter> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long base = (long) i * SIZE;
      out.add(new TypedParameter(field(params, base), value(params, base)));
    }
    return out;
  }

  private static String field(Pointer p, long base) {
    byte[] bytes = new byte[FIELD_LENGTH];
    p.get(base, bytes, 0, FIELD_LENGTH);
    int end = 0;
    while (end < FIELD_LENGTH && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  private static Object value(Pointer p, long base) {
    int type = p.getInt(base + TYPE_OFFSET);
    long at = base + VALUE_OFFSET;
    return switch (type) {
      case INT -> (long) p.getInt(at);
      case UINT -> Integer.toUnsignedLong(p.getInt(at));
      case LLONG -> p.getLongLong(at);
      case ULLONG -> {
        long bits = p.getLongLong(at);
        yield bits >= 0 ? (Object) bits : new Unsigned(bits);
      }
      case DOUBLE -> p.getDouble(at);
      case BOOLEAN -> p.getByte(at) != 0;
      case STRING -> {
        Pointer s = p.getPointer(at);
        yield s == null ? "" : s.getString(0, 4096, StandardCharsets.UTF_8);
      }
      default -> new Unknown(type);
    };
  }
}
