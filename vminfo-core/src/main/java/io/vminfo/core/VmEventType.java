package io.vminfo.core;

import java.util.Locale;

/** The kinds of store events on the feed. */
public enum VmEventType {
  CREATE,
  MODIFY,
  DELETE;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The wire name: {@code create}, {@code modify} or {@code delete}. */
  public String wireName() {
    return wireName;
  }

  public static VmEventType fromWireName(String name) {
    for (VmEventType t : values()) {
      if (t.wireName().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown event type \"" + name + "\" (expected create, modify or delete)");
  }
}
