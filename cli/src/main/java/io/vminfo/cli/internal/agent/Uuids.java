package io.vminfo.cli.internal.agent;

import java.util.Locale;
import java.util.regex.Pattern;

/** VM uuids on the command line. */
public final class Uuids {
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Uuids() {}

  public static boolean isUuid(String s) {
    return UUID.matcher(s).matches();
  }

  /** The uuid in lower case (as the agent keeps it); {@link IllegalArgumentException} if none. */
  public static String require(String s) {
    if (!isUuid(s)) {
      throw new IllegalArgumentException("not a VM uuid: \"" + s + "\"");
    }
    return s.toLowerCase(Locale.ROOT);
  }
}
