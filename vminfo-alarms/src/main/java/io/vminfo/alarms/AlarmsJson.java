package io.vminfo.alarms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.alarms.internal.Codec;

/**
 * The JSON forms of alarms and suppressions, the same in the state file, the webhook body and an
 * embedding application's API (the agent's {@code GET /alarms}).
 */
public final class AlarmsJson {
  private AlarmsJson() {}

  public static ObjectNode alarm(Alarm a) {
    return Codec.alarm(a);
  }

  public static ObjectNode suppression(Suppression s) {
    return Codec.suppression(s);
  }

  public static ObjectNode notice(AlarmNotice n) {
    return Codec.notice(n);
  }
}
