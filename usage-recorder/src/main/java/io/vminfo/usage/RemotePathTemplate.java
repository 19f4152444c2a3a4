package io.vminfo.usage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a sealed hourly file goes in the object store (DESIGN section 7). Placeholders: {@code
 * {login}}, {@code {yyyy}}, {@code {MM}}, {@code {dd}}, {@code {HH}} (the UTC hour of the records)
 * and {@code {server_uuid}}. The template names the uncompressed {@code .log} object; the uploaded
 * path adds {@code .<n>} before {@code .log} for segment {@code n > 0} and {@code .gz} at the end,
 * e.g. {@code /acct/stor/usage/2026/11/22/10/<server>.1.log.gz}.
 *
 * <p>Validated when made: it must be absolute, end in {@code .log}, contain every hour field and
 * {@code {server_uuid}} (so two hours or two servers never share an object), and have no empty,
 * {@code .} or {@code ..} segments.
 */
public final class RemotePathTemplate {
  /** The default layout, as Manta's usage tooling expects it. */
  public static final String DEFAULT =
      "/{login}/stor/usage/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_]+)}");
  private static final Set<String> KNOWN = Set.of("login", "yyyy", "MM", "dd", "HH", "server_uuid");
  private static final List<String> REQUIRED = List.of("yyyy", "MM", "dd", "HH", "server_uuid");
  private static final Pattern LOGIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}");
  private static final Pattern SERVER = io.vminfo.usage.internal.SpoolLayout.SERVER;

  private final String template;
  private final String login;
  private final List<Object> parts;

  private RemotePathTemplate(String template, String login) {
    this.template = Objects.requireNonNull(template, "template");
    this.login = Objects.requireNonNull(login, "login");
    if (!LOGIN.matcher(login).matches()) {
      throw new IllegalArgumentException(
          "login must be 1-64 characters of letters, digits, '_', '.', '@', '-' (not starting with"
              + " a symbol), got \""
              + login
              + "\"");
    }
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("remote path template must start with '/': " + template);
    }
    if (!template.endsWith(".log")) {
      throw new IllegalArgumentException(
          "remote path template must end with \".log\" (segments and .gz are added to it): "
              + template);
    }
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException("remote path template has a control character or '\\'");
      }
    }
    String leftover = PLACEHOLDER.matcher(template).replaceAll("x");
    if (leftover.contains("{") || leftover.contains("}")) {
      throw new IllegalArgumentException(
          "remote path template has a malformed placeholder: " + template);
    }
    List<Object> out = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    int at = 0;
    List<String> seen = new ArrayList<>();
    while (m.find()) {
      if (m.start() > at) {
        out.add(template.substring(at, m.start()));
      }
      String name = m.group(1);
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException(
            "unknown placeholder {"
                + name
                + "} in remote path template"
                + " (known: {login} {yyyy} {MM} {dd} {HH} {server_uuid})");
      }
      out.add(new Field(name));
      seen.add(name);
      at = m.end();
    }
    if (at < template.length()) {
      out.add(template.substring(at));
    }
    for (String r : REQUIRED) {
      if (!seen.contains(r)) {
        throw new IllegalArgumentException(
            "remote path template must contain {"
                + r
                + "} so each hour and server has its own object: "
                + template);
      }
    }
    for (String segment : template.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "remote path template has an empty, '.' or '..' segment: " + template);
      }
    }
    this.parts = List.copyOf(out);
  }

  /** A template with {@code {login}} bound to {@code login}. */
  public static RemotePathTemplate of(String template, String login) {
    return new RemotePathTemplate(template, login);
  }

  /** The {@link #DEFAULT} template for {@code login}. */
  public static RemotePathTemplate defaultFor(String login) {
    return new RemotePathTemplate(DEFAULT, login);
  }

  public String template() {
    return template;
  }

  public String login() {
    return login;
  }

  /**
   * The object path of segment {@code segment} (0 for the first file of the hour) of the records of
   * {@code hour} from {@code serverUuid}, compressed ({@code .gz}).
   */
  public String render(Instant hour, String serverUuid, int segment) {
    Objects.requireNonNull(hour, "hour");
    Objects.requireNonNull(serverUuid, "serverUuid");
    if (!SERVER.matcher(serverUuid).matches()) {
      throw new IllegalArgumentException(
          "server uuid is not a safe path segment: \"" + serverUuid + "\"");
    }
    if (segment < 0) {
      throw new IllegalArgumentException("segment must be >= 0, got " + segment);
    }
    ZonedDateTime t = hour.truncatedTo(ChronoUnit.HOURS).atZone(ZoneOffset.UTC);
    StringBuilder sb = new StringBuilder(template.length() + 48);
    for (Object part : parts) {
      if (part instanceof Field f) {
        switch (f.name) {
          case "login" -> sb.append(login);
          case "yyyy" -> sb.append(String.format("%04d", t.getYear()));
          case "MM" -> sb.append(String.format("%02d", t.getMonthValue()));
          case "dd" -> sb.append(String.format("%02d", t.getDayOfMonth()));
          case "HH" -> sb.append(String.format("%02d", t.getHour()));
          case "server_uuid" -> sb.append(serverUuid);
          default -> throw new IllegalStateException(f.name);
        }
      } else {
        sb.append((String) part);
      }
    }
    if (segment > 0) {
      sb.insert(sb.length() - ".log".length(), "." + segment);
    }
    return sb.append(".gz").toString();
  }

  @Override
  public String toString() {
    return template + " (login " + login + ")";
  }

  private record Field(String name) {}
}
