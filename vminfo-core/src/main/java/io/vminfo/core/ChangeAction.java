package io.vminfo.core;

import java.util.Locale;

/** What happened at a change's path. */
public enum ChangeAction {
  ADDED,
  REMOVED,
  CHANGED;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The wire name: {@code added}, {@code removed} or {@code changed}. */
  public String wireName() {
    return wireName;
  }

  public static ChangeAction fromWireName(String name) {
    for (ChangeAction a : values()) {
      if (a.wireName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown change action: \"" + name + "\"");
  }
}
