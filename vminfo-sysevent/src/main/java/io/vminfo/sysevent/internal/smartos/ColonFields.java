package io.vminfo.sysevent.internal.smartos;

import java.util.ArrayList;
import java.util.List;

/** Splits a {@code zoneadm -p} / zones index line on ':' honouring the "\:" escape. */
final class ColonFields {
  private ColonFields() {}

  static List<String> split(String line) {
    List<String> out = new ArrayList<>(9);
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
      } else if (c == ':') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
