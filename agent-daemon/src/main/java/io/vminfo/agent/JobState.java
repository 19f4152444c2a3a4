package io.vminfo.agent;

import java.util.Locale;

/** Queued, then Running, then Complete or Error (as mistify-agent names them). */
public enum JobState {
  QUEUED,
  RUNNING,
  COMPLETE,
  ERROR;

  public boolean finished() {
    return this == COMPLETE || this == ERROR;
  }

  /** {@code Queued}, {@code Running}, {@code Complete}, {@code Error}. */
  public String wireName() {
    String n = name().toLowerCase(Locale.ROOT);
    return Character.toUpperCase(n.charAt(0)) + n.substring(1);
  }

  public static JobState fromWireName(String s) {
    for (JobState st : values()) {
      if (st.wireName().equals(s)) {
        return st;
      }
    }
    throw new IllegalArgumentException("unknown job state \"" + s + "\"");
  }
}
