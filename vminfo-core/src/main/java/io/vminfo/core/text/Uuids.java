package io.vminfo.core.text;

import java.util.Locale;
import java.util.regex.Pattern;

/** VM and server uuids in their text form ({@code 8-4-4-4-12} hex digits), the one check of it. */
public final class Uuids {
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Uuids() {}

  /** A uuid in either case; false for null. */
  public static boolean isUuid(String s) {
    return s != null && UUID.matcher(s).matches();
  }

  /** A uuid in lower case, the form vminfo keeps and writes. */
  public static boolean isLowerCaseUuid(String s) {
    return isUuid(s) && s.equals(s.toLowerCase(Locale.ROOT));
  }

  /**
   * The uuid in lower case.
   *
   * @throws IllegalArgumentException naming {@code what} when {@code s} is no uuid
   */
  public static String requireUuid(String s, String what) {
    if (!isUuid(s)) {
      throw new IllegalArgumentException(what + " must be a UUID, got: " + s);
    }
    return s.toLowerCase(Locale.ROOT);
  }
}
