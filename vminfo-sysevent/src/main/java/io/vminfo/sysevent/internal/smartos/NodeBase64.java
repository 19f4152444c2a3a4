package io.vminfo.sysevent.internal.smartos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Base64 decoding as Node's {@code Buffer(text, 'base64')} does it, which is what vmload applies to
 * {@code alias}, {@code qemu-opts} and the other base64 attrs: never an error. Both alphabets are
 * read ({@code +/} and {@code -_}), any other character is skipped, the first {@code =} ends the
 * data, and a last lone character is dropped. The bytes are read as UTF-8, malformed sequences
 * becoming U+FFFD.
 */
final class NodeBase64 {
  private NodeBase64() {}

  static String decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 3 / 4);
    int bits = 0;
    int count = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '=') {
        break;
      }
      int v = value(c);
      if (v < 0) {
        continue;
      }
      bits = ((bits << 6) | v) & 0xFFFF; // at most 14 bits are pending
      count += 6;
      if (count >= 8) {
        count -= 8;
        out.write((bits >> count) & 0xFF);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return switch (c) {
      case '+', '-' -> 62;
      case '/', '_' -> 63;
      default -> -1;
    };
  }
}
